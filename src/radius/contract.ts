/**
 * What the RADIUS server (src/radius) needs from the rest of Uplink, and what it hands over. The
 * server owns the wire: decoding, shared secrets, authenticators, Message-Authenticator, password
 * checks (PAP, CHAP, MS-CHAPv2), duplicate detection, replies. Uplink's modules own the decisions:
 * which NAS is which (network), who may connect with what profile, and where accounting goes (aaa).
 * Attributes cross this line by their dictionary names ('User-Name', 'Mikrotik-Rate-Limit'), with
 * values decoded: text as string, integers as number (or bigint for 64-bit ones), addresses and
 * prefixes as their text form ('192.0.2.1', '2001:db8::/56'), dates as Date, octets as Buffer.
 */
export type AttributeValue = string | number | bigint | Buffer | Date;

/** Attributes in packet order; a name may repeat (Class, Reply-Message, vendor attributes). */
export type AttributeList = ReadonlyArray<readonly [name: string, value: AttributeValue]>;

export type NasType = 'mikrotik' | 'cisco' | 'juniper' | 'huawei' | 'generic';

/** A NAS as the server needs it: found by the packet's source address. */
export interface RadiusClient {
  id: string;
  organizationId: string;
  name: string;
  type: NasType;
  /** The source address its packets come from (IPv4 or IPv6 text). */
  address: string;
  /** The shared secret, decrypted. */
  secret: string;
  /** BlastRADIUS: refuse an Access-Request without a valid Message-Authenticator (default true). */
  requireMessageAuthenticator: boolean;
  /** Where the NAS listens for CoA and Disconnect-Request (RFC 5176; 3799 by default). */
  coaPort: number;
}

/** Finds the NAS behind a source address; null for an unknown one (its packets are dropped and logged). */
export interface ClientDirectory {
  byAddress(address: string): Promise<RadiusClient | null> | RadiusClient | null;
}

export type AuthMethod = 'pap' | 'chap' | 'mschapv2';

/** An Access-Request the server has authenticated as coming from a known NAS. */
export interface AccessRequest {
  client: RadiusClient;
  userName: string;
  method: AuthMethod | null;
  attributes: AttributeList;
}

/**
 * The policy's answer before the password check: the subscriber's cleartext password (the server
 * checks PAP, CHAP and MS-CHAPv2 against it) and what to answer if it matches; or a refusal.
 */
export type AccessDecision =
  | { kind: 'reject'; reason: string; reply?: AttributeList }
  | { kind: 'accept'; password: string; reply: AttributeList; rejectReply?: AttributeList };

/** What happened, for the post-auth log (FreeRADIUS radpostauth). */
export interface AccessOutcome {
  request: AccessRequest;
  accepted: boolean;
  reason: string;
  at: Date;
}

export interface AccessPolicy {
  authorize(request: AccessRequest): Promise<AccessDecision>;
  /** Called after the reply is sent; must not throw. */
  recorded?(outcome: AccessOutcome): void;
}

/** An Accounting-Request from a known NAS, authenticator verified. */
export interface AccountingRequest {
  client: RadiusClient;
  attributes: AttributeList;
  receivedAt: Date;
}

/** Stores accounting; the server answers Accounting-Response only once the promise resolves (durable). */
export interface AccountingSink {
  record(request: AccountingRequest): Promise<void>;
}

/** The outcome of a CoA-Request or Disconnect-Request sent to a NAS. */
export type ChangeOutcome =
  | { kind: 'ack'; attributes: AttributeList }
  | { kind: 'nak'; errorCause: number | null; attributes: AttributeList }
  | { kind: 'timeout' };

/** Sends RFC 5176 requests to a NAS (implemented by src/radius; used by the aaa module's enforcement). */
export interface ChangeSender {
  send(client: RadiusClient, kind: 'coa' | 'disconnect', attributes: AttributeList, opts?: { timeoutMs?: number; retries?: number }): Promise<ChangeOutcome>;
}
