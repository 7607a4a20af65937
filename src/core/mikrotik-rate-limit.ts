/**
 * The MikroTik rate-limit string of a plan's network profile, as RouterOS reads it in a PPP profile,
 * a hotspot user profile, a simple queue and the Mikrotik-Rate-Limit RADIUS attribute:
 *
 *   rx[/tx] [rx-burst[/tx-burst] [rx-threshold[/tx-threshold] [rx-time[/tx-time]]]]
 *
 * RouterOS names directions from the router's side: rx is what it receives from the subscriber, so
 * rx is the subscriber's UPLOAD and tx the download. Rates are bits per second with k (1000) and M
 * (1000 k) suffixes; burst times are seconds. A rate of 0 means "no limit" and a burst rate of 0
 * "no burst", which is how one direction without a limit or a burst is written next to one with it.
 */

/** One direction of a profile, in kbit/s; the three burst fields are all set or all absent. */
export interface DirectionLimit {
  kbps: number | null;
  burstKbps?: number | null;
  burstThresholdKbps?: number | null;
  burstSeconds?: number | null;
}

export interface RateProfile {
  download: DirectionLimit;
  upload: DirectionLimit;
}

/** 512 → "512k", 10000 → "10M", 0 → "0": the shortest exact spelling RouterOS reads back the same. */
export function formatKbps(kbps: number): string {
  if (!Number.isSafeInteger(kbps) || kbps < 0) throw new RangeError(`a rate must be a whole number of kbit/s, 0 or more (got ${kbps})`);
  if (kbps === 0) return '0';
  return kbps % 1000 === 0 ? `${kbps / 1000}M` : `${kbps}k`;
}

const hasBurst = (d: DirectionLimit) => d.burstKbps != null && d.burstThresholdKbps != null && d.burstSeconds != null;

/**
 * The rate-limit string for a profile, or null when neither direction is limited (the router then
 * applies none). Burst fields are written only when a direction has a burst.
 */
export function mikrotikRateLimit(profile: RateProfile): string | null {
  const { upload: rx, download: tx } = profile;
  if (rx.kbps == null && tx.kbps == null) return null;
  const pair = (a: number, b: number) => `${formatKbps(a)}/${formatKbps(b)}`;
  const parts = [pair(rx.kbps ?? 0, tx.kbps ?? 0)];
  if (hasBurst(rx) || hasBurst(tx)) {
    const burst = (d: DirectionLimit) => (hasBurst(d) ? d : { burstKbps: 0, burstThresholdKbps: 0, burstSeconds: 0 });
    const r = burst(rx);
    const t = burst(tx);
    parts.push(pair(r.burstKbps!, t.burstKbps!), pair(r.burstThresholdKbps!, t.burstThresholdKbps!), `${r.burstSeconds}/${t.burstSeconds}`);
  }
  return parts.join(' ');
}

/** The profile of a plan version's network columns (as stored in plan_versions). */
export function rateProfileOf(v: {
  download_kbps: number | null;
  download_burst_kbps: number | null;
  download_burst_threshold_kbps: number | null;
  download_burst_seconds: number | null;
  upload_kbps: number | null;
  upload_burst_kbps: number | null;
  upload_burst_threshold_kbps: number | null;
  upload_burst_seconds: number | null;
}): RateProfile {
  return {
    download: { kbps: v.download_kbps, burstKbps: v.download_burst_kbps, burstThresholdKbps: v.download_burst_threshold_kbps, burstSeconds: v.download_burst_seconds },
    upload: { kbps: v.upload_kbps, burstKbps: v.upload_burst_kbps, burstThresholdKbps: v.upload_burst_threshold_kbps, burstSeconds: v.upload_burst_seconds },
  };
}
