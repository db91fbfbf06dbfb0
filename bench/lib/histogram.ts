// Log-bucketed latency histogram: constant memory, O(1) record, ~3 % relative
// bucket width (32 linear sub-buckets per power of two), exact min/max/mean.
// Values are recorded in microseconds.

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS; // 64 sub-buckets per octave
const OCTAVES = 40; // up to 2^40 µs ≈ 12.7 days

export interface LatencySummary {
  count: number;
  minUs: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

export class Histogram {
  private readonly counts = new Float64Array(OCTAVES * SUB + SUB);
  private n = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  private static index(v: number): number {
    if (v < SUB) return Math.floor(v);
    const exp = Math.floor(Math.log2(v)) - SUB_BITS + 1; // >= 1
    const mant = Math.floor(v / 2 ** exp); // in [SUB/2, SUB)
    return Math.min(exp * (SUB / 2) + mant, OCTAVES * SUB + SUB - 1);
  }

  /** Lower edge of bucket i, inverse of index(). */
  private static lowerBound(i: number): number {
    if (i < SUB) return i;
    const exp = Math.floor((i - SUB / 2) / (SUB / 2));
    const mant = i - exp * (SUB / 2);
    return mant * 2 ** exp;
  }

  record(valueUs: number): void {
    const v = valueUs < 0 ? 0 : valueUs;
    const i = Histogram.index(v);
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  get count(): number {
    return this.n;
  }

  reset(): void {
    this.counts.fill(0);
    this.n = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
  }

  /** Value at quantile q in [0,1]: midpoint of the bucket holding the q-th sample, clamped to [min,max]. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= target) {
        const lo = Histogram.lowerBound(i);
        const hi = Histogram.lowerBound(i + 1);
        const mid = (lo + hi) / 2;
        return Math.min(Math.max(mid, this.min), this.max);
      }
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.n,
      minUs: this.n ? this.min : 0,
      meanUs: this.n ? this.sum / this.n : 0,
      p50Us: this.quantile(0.5),
      p90Us: this.quantile(0.9),
      p99Us: this.quantile(0.99),
      p999Us: this.quantile(0.999),
      maxUs: this.max,
    };
  }
}
