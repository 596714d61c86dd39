import { describeEngineContract } from '../db.contract.ts';
import { memoryEngineFactory } from './memory.engine.ts';

// The JS reference engine passing the same suite shows the contract does not lean on DuckDB.
describeEngineContract('memory reference engine', memoryEngineFactory(), { persistent: true });
