import type { ExrAttribute, ExrAttributeValues, ExrKnownType } from './exr.types.ts';

/**
 * The value of attribute `name` when it has type `type`; undefined when absent or of another
 * type. A name given twice: the last copy, as the C++ library keeps it.
 */
export function attributeValue<T extends ExrKnownType>(
  part: { attributes: readonly ExrAttribute[] },
  name: string,
  type: T,
): ExrAttributeValues[T] | undefined {
  for (let i = part.attributes.length - 1; i >= 0; i--) {
    const attribute = part.attributes[i];
    if (attribute?.name !== name) continue;
    // Known types always carry their decoded value (exr.attributes.ts), so the type names it.
    return attribute.type === type ? (attribute.value as ExrAttributeValues[T]) : undefined;
  }
  return undefined;
}
