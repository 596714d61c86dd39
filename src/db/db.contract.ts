import { cellContract } from './contract/contract.cells.ts';
import { type ContractOptions, contractContext, type EngineFactory } from './contract/contract.fixture.ts';
import { describe } from './contract/contract.harness.ts';
import { queryContract } from './contract/contract.query.ts';
import { schemaContract } from './contract/contract.schema.ts';
import { transactionContract } from './contract/contract.tx.ts';
import { writeContract } from './contract/contract.write.ts';

export type { ContractOptions, EngineFactory } from './contract/contract.fixture.ts';

/**
 * The behaviour every engine must show through the table manager. Each test opens fresh storage
 * via `makeEngine(store)` (a new name each time); with `persistent`, opening a name again after
 * close must show the same data.
 */
export function describeEngineContract(
  name: string,
  makeEngine: EngineFactory,
  options: ContractOptions = { persistent: false },
): void {
  describe(`engine contract: ${name}`, () => {
    const ctx = contractContext(makeEngine, options);
    schemaContract(ctx);
    queryContract(ctx);
    writeContract(ctx);
    transactionContract(ctx);
    cellContract(ctx);
  });
}
