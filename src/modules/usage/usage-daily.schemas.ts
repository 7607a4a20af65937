import { z } from 'zod';

/** Which days a usage chart covers: the billing period now running, or the last 30 or 90 local days. */
export const usageRanges = ['current', 'last30', 'last90'] as const;
export type UsageRange = (typeof usageRanges)[number];

export const dailyUsageQuery = z.object({
  range: z.enum(usageRanges).default('last30').describe('current (the billing period now running; the last 30 days when none is), last30 or last90'),
});

export const dailyUsageDaySchema = z
  .object({
    date: z.iso.date().describe("A day in the organization's time zone"),
    downloadBytes: z.number().int().describe('Bytes sent to the subscriber that day (RADIUS accounting)'),
    uploadBytes: z.number().int().describe('Bytes sent by the subscriber that day (RADIUS accounting)'),
    sessionSeconds: z.number().int().describe('Time online that day (RADIUS accounting)'),
    usage: z.record(z.string(), z.string()).describe('Usage records of the day per unit, exact decimals: { "GB": "1.25", "minutes": "90" }'),
  })
  .meta({ id: 'DailyUsageDay' });

export const dailyUsageSchema = z
  .object({
    subscriptionId: z.uuid(),
    range: z.enum(usageRanges).describe('The range answered (current falls back to last30 when no period runs)'),
    timezone: z.string(),
    from: z.iso.date(),
    to: z.iso.date().describe('Last day included (today at most)'),
    days: z.array(dailyUsageDaySchema).describe('Every day from `from` to `to`, oldest first, zeros included'),
  })
  .meta({ id: 'DailyUsage' });

export type DailyUsageQuery = z.infer<typeof dailyUsageQuery>;
export type DailyUsage = z.infer<typeof dailyUsageSchema>;
