/** client_golang's default histogram buckets (seconds): what most services export. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Status codes whose series exist from the start, as Prometheus advises for counters. */
const INITIAL_CODES = ['200', '500'];

/**
 * The shop service's Prometheus metrics, in the names Rollgate reads by default:
 * `http_requests_total{code}`, the `http_request_duration_seconds` histogram, and the process
 * metrics (`process_resident_memory_bytes`, `process_cpu_seconds_total`,
 * `process_start_time_seconds`). Served as text exposition on `/metrics`.
 */
export class ShopMetrics {
  readonly #requests = new Map<string, number>(INITIAL_CODES.map((code) => [code, 0]));
  readonly #bucketCounts = DEFAULT_BUCKETS.map(() => 0);
  #count = 0;
  #sum = 0;
  #servingRelease = 0;
  readonly #startTime = Date.now() / 1000;

  /** Counts one finished request with its status and duration. */
  observe(code: number, seconds: number): void {
    const key = String(code);
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    DEFAULT_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.#bucketCounts[i] = (this.#bucketCounts[i] ?? 0) + 1;
    });
    this.#count += 1;
    this.#sum += seconds;
  }

  /** The release the last request was served by (a gauge, for people reading /metrics). */
  setServingRelease(release: number): void {
    this.#servingRelease = release;
  }

  /** The text exposition (format 0.0.4). */
  render(): string {
    const lines: string[] = [
      '# HELP http_requests_total Requests handled, by status code.',
      '# TYPE http_requests_total counter',
    ];
    for (const [code, value] of [...this.#requests].sort())
      lines.push(`http_requests_total{code="${code}"} ${value}`);
    lines.push('# HELP http_request_duration_seconds Time to answer a request.');
    lines.push('# TYPE http_request_duration_seconds histogram');
    DEFAULT_BUCKETS.forEach((bound, i) => {
      lines.push(`http_request_duration_seconds_bucket{le="${bound}"} ${this.#bucketCounts[i] ?? 0}`);
    });
    lines.push(`http_request_duration_seconds_bucket{le="+Inf"} ${this.#count}`);
    lines.push(`http_request_duration_seconds_sum ${this.#sum}`);
    lines.push(`http_request_duration_seconds_count ${this.#count}`);
    const cpu = process.cpuUsage();
    lines.push('# TYPE process_resident_memory_bytes gauge');
    lines.push(`process_resident_memory_bytes ${process.memoryUsage.rss()}`);
    lines.push('# TYPE process_cpu_seconds_total counter');
    lines.push(`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`);
    lines.push('# TYPE process_start_time_seconds gauge');
    lines.push(`process_start_time_seconds ${this.#startTime}`);
    lines.push('# HELP shop_serving_release The release that served the last request.');
    lines.push('# TYPE shop_serving_release gauge');
    lines.push(`shop_serving_release ${this.#servingRelease}`);
    return `${lines.join('\n')}\n`;
  }
}
