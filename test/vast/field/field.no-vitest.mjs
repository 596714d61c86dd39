// Preloaded into the field kit's process by field.kit.test.ts (`node --import`): makes `vitest`
// unresolvable there, as it is in the image (no dev dependencies), so the test shows that
// `tams-mgmt vast check` runs the contract suites without it.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier === 'vitest' || specifier.startsWith('vitest/') || specifier.startsWith('@vitest/'))
        throw Object.assign(new Error('vitest is not installed here (field.no-vitest.mjs)'), { code: 'ERR_MODULE_NOT_FOUND' });
      return next(specifier, context);
    }`)}`,
);
