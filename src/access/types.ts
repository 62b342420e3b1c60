/**
 * @module access/types
 * Who is calling and what they may do. The gateway asks AccessControl once per request.
 */
import type { FastifyRequest } from 'fastify';
import type { CallType } from '../providers/types.js';

export interface AuthContext {
  /** Called with the master key (or the gateway is in open mode with no master key). */
  isMaster: boolean;
  /** True when no master key is configured: everything is allowed. */
  openMode: boolean;
  /** sha256 hex of the presented virtual key; '' for master/open mode. */
  keyHash: string;
  keyAlias: string | null;
  /** Internal user owning the key. */
  userId: string | null;
  teamId: string | null;
  /** Models this key may call; empty = all. */
  allowedModels: readonly string[];
  permissions: Readonly<Record<string, boolean>>;
  /** Key metadata (merged into spend-log metadata). */
  metadata: Readonly<Record<string, unknown>>;
  /** Tags set on the key (added to request tags). */
  tags: readonly string[];
}

/** What the gateway tells access before forwarding, so it can check budgets and reserve cost. */
export interface AdmissionRequest {
  requestId: string;
  callType: CallType;
  modelGroup: string;
  endUser: string | null;
  /** Worst-case cost of this request in USD (exact decimal string), for budget reservation. */
  maxCostUsd: string;
  /**
   * What the request could cost if the upstream ignored max_tokens (the model's output limit), in
   * USD; >= maxCostUsd. Near a strict max_budget, requests run one at a time unless their ceilings
   * all fit: final spend then exceeds the budget by at most one request's true overshoot. Absent:
   * maxCostUsd (the upstream is trusted to honour max_tokens).
   */
  ceilingCostUsd?: string;
  /** Estimated prompt tokens (for tpm limits). */
  promptTokens: number;
  /** The request's tags (request metadata + key tags), for tag budgets. (additive, issue 17) */
  tags?: readonly string[];
}

export interface Admission {
  /** Call once the real cost is known (exact decimal string). */
  settle(costUsd: string, totalTokens: number): void;
}

/** Route classes for authorization. */
export type RouteKind = 'llm' | 'spend' | 'admin' | 'key_info' | 'public' | 'info';

/** What the HTTP layer's auth hook needs (the access service implements it; gateway/ consumes it). */
export interface RouteAuthorizer {
  authenticate(token: string | undefined): AuthContext | Promise<AuthContext>;
  /** Throws GatewayError (401/403) when `auth` may not use a route of this kind. */
  authorizeRoute(auth: AuthContext, kind: RouteKind, request: FastifyRequest): void;
}

export interface AccessControl {
  /** Resolve the presented token (Bearer or x-api-key). Throws GatewayError (401/403). */
  authenticate(token: string | undefined): AuthContext | Promise<AuthContext>;
  /** Check budgets and limits and reserve cost. Throws GatewayError (budget/429/403). */
  admit(auth: AuthContext, req: AdmissionRequest): Admission | Promise<Admission>;
}
