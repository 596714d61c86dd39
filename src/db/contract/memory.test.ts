import { memoryEngineFactory } from '../../../test/support/db/contract/memory.engine.ts';
import { describeEngineContract } from '../db.contract.ts';

// The JS reference engine passing the same suite shows the contract does not lean on DuckDB.
describeEngineContract('memory reference engine', memoryEngineFactory(), { persistent: true });
