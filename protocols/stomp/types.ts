/**
 * Types shared by the STOMP adapter's layers: resolved options and the
 * output side of a connection as the processor sees it.
 */
import type { Logger } from '../../core/index.js';
import type { HeaderList, StompLimits, StompVersion } from './codec.js';
import type { StompError } from './errors.js';

export interface ResolvedStompOptions {
  readonly logger: Logger;
  readonly defaultUser: string | undefined;
  readonly defaultPass: string | undefined;
  readonly implicitConnect: boolean;
  readonly defaultVhost: string;
  readonly limits: StompLimits;
  readonly topicExchange: string;
  readonly defaultNackRequeue: boolean;
  /** `server` header of CONNECTED; undefined = hidden (hide_server_info) */
  readonly serverName: string | undefined;
  /** time from accept to CONNECT */
  readonly connectTimeoutMs: number;
  readonly maxTransactions: number;
  readonly maxTxActions: number;
}

/** What the processor may do to its connection. */
export interface FrameOut {
  /** encode with the negotiated version and write; false = transport over its high-water mark */
  send(command: string, headers: HeaderList, body?: Buffer): boolean;
  /** write ERROR (with receipt-id when given); when fatal, stop reading and close */
  error(e: StompError, receiptId?: string): void;
  setVersion(v: StompVersion): void;
  /** start heart-beats: send every sendMs, expect traffic every recvMs (0 = off) */
  startHeartbeats(sendMs: number, recvMs: number): void;
  pauseReading(): void;
  resumeReading(): void;
  /** flush and close (after DISCONNECT) */
  end(): void;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly kind: string;
}
