import type { JWTVerifyGetKey } from 'jose';
import { regions } from '../regions/region.registry';
import { ROLE_RULES } from '../permissions/matrix';
import { UnauthenticatedError } from '../core/errors';
import { ALGORITHM, type SigningKey } from './keys';
import { jose } from './jose';
import { type Department, type Identity, type Role, isDepartment, isRole, TOWNSHIP, TOWNSHIP_CODE } from './identity';

/** Tokens larger than this are refused before any parsing (a JWT with these claims is ~500 bytes). */
export const MAX_TOKEN_BYTES = 4096;
export const CLOCK_TOLERANCE_SECONDS = 30;

export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
}

/** How long a verified token is taken on trust before its signature is checked again. */
export const VERIFIED_TOKEN_SECONDS = 60;
/** Verified tokens remembered at most (the oldest is forgotten first). */
export const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Verifies a bearer token and turns its claims into an Identity, or throws UNAUTHENTICATED.
 *
 * A token that verified is remembered, by its exact text, for `VERIFIED_TOKEN_SECONDS` and never
 * past its expiry: the ES256 check was 5–7% of the hub's CPU on a page of children, and every
 * request of a client carries the same token. The same bytes verify the same way against the same
 * keys, so this trusts nothing new; a key withdrawn from the identity provider's key set stops
 * working within a minute of the hub's noticing (jose itself caches the key set for ten minutes).
 * Refusals are never remembered.
 */
/** A verified token's identity, and the moment (epoch ms) from which it is refused as expired. */
export interface VerifiedToken {
  readonly identity: Identity;
  readonly expiresAt: number;
}

export class TokenVerifier {
  private readonly verified = new Map<string, VerifiedToken & { until: number }>();

  constructor(
    private readonly keys: JWTVerifyGetKey,
    private readonly settings: TokenSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<Identity> {
    return (await this.verifyToken(token)).identity;
  }

  /** As `verify`, with the moment the token stops being accepted: what a long-lived connection (the change feed) must not outlive. */
  async verifyToken(token: string): Promise<VerifiedToken> {
    if (token.length > MAX_TOKEN_BYTES) throw new UnauthenticatedError(`token longer than ${MAX_TOKEN_BYTES} bytes`);
    const now = this.now();
    const known = this.verified.get(token);
    if (known && now < known.until) return known;
    if (known) this.verified.delete(token);
    const { jwtVerify } = await jose();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['exp', 'iat', 'sub', 'iss', 'aud'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        crit: {},
        currentDate: new Date(now),
      }));
    } catch (error) {
      throw new UnauthenticatedError(describeJoseError(error));
    }
    const identity = identityFromClaims(payload);
    // jose allows the clock tolerance past exp; from then on the token is refused as expired.
    const expiresAt = ((payload.exp as number) + CLOCK_TOLERANCE_SECONDS) * 1000;
    // Taken on trust until then, and a minute at most.
    const verified = { identity, expiresAt, until: Math.min(now + VERIFIED_TOKEN_SECONDS * 1000, expiresAt) };
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, verified);
    return verified;
  }
}

function describeJoseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED': return 'token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': return `token claim rejected (${(error as { claim?: string }).claim ?? 'claim'})`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': return 'token signature invalid';
    case 'ERR_JOSE_ALG_NOT_ALLOWED': return 'token algorithm not allowed (ES256 only)';
    case 'ERR_JWKS_NO_MATCHING_KEY': return 'token signed by an unknown key';
    default: return 'token invalid';
  }
}

export function identityFromClaims(claims: Record<string, unknown>): Identity {
  const { sub, dept, region, roles } = claims;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) throw new UnauthenticatedError('claim sub missing or invalid');
  if (!isDepartment(dept)) throw new UnauthenticatedError('claim dept is not a known department');
  if (dept === TOWNSHIP) {
    // A township user sits at one township: the county its code starts with must exist.
    if (typeof region !== 'string' || !TOWNSHIP_CODE.test(region) || !regions.isCounty(region.slice(0, 6))) {
      throw new UnauthenticatedError('claim region of a TOWNSHIP user must be a 9-digit township code within a known county');
    }
  } else if (typeof region !== 'string' || !/^\d{6}$/.test(region) || !regions.get(region)) {
    throw new UnauthenticatedError('claim region is not a known 6-digit region code');
  }
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > 10 || !roles.every(isRole)) {
    throw new UnauthenticatedError('claim roles must be a non-empty list of known roles');
  }
  const misplaced = (roles as Role[]).find((role) => ROLE_RULES[role].departments && !ROLE_RULES[role].departments!.includes(dept));
  if (misplaced) throw new UnauthenticatedError(`role ${misplaced} does not exist in department ${dept}`);
  return Object.freeze({ sub, dept: dept as Department, region, roles: Object.freeze([...new Set(roles as Role[])]) });
}

export interface TokenRequest {
  readonly sub: string;
  readonly dept: Department;
  readonly region: string;
  readonly roles: readonly Role[];
  /** Lifetime in seconds (default 12 hours). */
  readonly ttlSeconds?: number;
}

/** Signs a token with the hub's local key (development and tests only). */
export async function signToken(key: SigningKey, settings: TokenSettings, request: TokenRequest): Promise<string> {
  const { SignJWT } = await jose();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ dept: request.dept, region: request.region, roles: [...request.roles] })
    .setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setSubject(request.sub)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (request.ttlSeconds ?? 12 * 3600))
    .sign(key.privateKey);
}
