/**
 * Lets a long loop of synchronously resolving awaits give the event loop a turn now and then. An `await` on an
 * already resolved promise is a microtask, so an agent whose `act` computes synchronously (tfjs on the CPU) would
 * otherwise hold the loop for the whole evaluation: Ctrl-C and SIGTERM handlers, timers and progress output
 * would wait until it ended. One macrotask turn per `intervalMs` costs microseconds.
 */
export class EventLoopYield {
  private last = performance.now();

  constructor(private readonly intervalMs = 50) {}

  /** Resolves after a macrotask turn when `intervalMs` has passed since the last one; at once otherwise. */
  async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.last < this.intervalMs) return;
    // setImmediate (Node) passes through the poll phase, where signals arrive, without setTimeout's 1 ms floor.
    await new Promise<void>((resolve) =>
      typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
    );
    this.last = performance.now();
  }
}
