/** Shape of the benchmark history (shared by the orchestrator and the measured phases). */
export const STREAMS = 100;
export const STEPS = 1000;
/** int32 states (2) + int32 action + int32 reward + int32 next_states (2) + uint8 done. */
export const BYTES_PER_TRANSITION = 2 * 4 + 4 + 4 + 2 * 4 + 1;
export const WINDOW = 80;
export const BATCH = 512;
