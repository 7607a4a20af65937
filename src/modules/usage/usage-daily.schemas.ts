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

export const usageQuotaSchema = z
  .object({
    periodStart: z.iso.datetime().describe('First instant of the billing period the fair-usage quota counts over'),
    periodEnd: z.iso.datetime().describe('First instant of the next period, when the quota is whole again'),
    data: z
      .object({
        quotaBytes: z.number().int(),
        usedBytes: z.number().int().describe('Download and upload in the period so far'),
        leftBytes: z.number().int().describe('What is left before the throttle profile applies; 0 when used up'),
      })
      .nullable()
      .describe('Null when the plan has no data quota'),
    time: z
      .object({
        quotaSeconds: z.number().int(),
        usedSeconds: z.number().int().describe('Time online in the period so far, open sessions up to now'),
        leftSeconds: z.number().int().describe('What is left; 0 when used up'),
      })
      .nullable()
      .describe('Null when the plan has no time quota'),
    state: z.enum(['full', 'throttled', 'cut']).describe("full: the plan's rates; throttled: the throttle profile until the period ends; cut: the time allowance is used up and logins are refused until it ends"),
  })
  .meta({ id: 'UsageQuota' });

export const dailyUsageSchema = z
  .object({
    subscriptionId: z.uuid(),
    range: z.enum(usageRanges).describe('The range answered (current falls back to last30 when no period runs)'),
    timezone: z.string(),
    from: z.iso.date(),
    to: z.iso.date().describe('Last day included (today at most)'),
    days: z.array(dailyUsageDaySchema).describe('Every day from `from` to `to`, oldest first, zeros included'),
    quota: usageQuotaSchema.nullable().describe("The plan's fair-usage quota in the period running now, whatever the range; null without a quota"),
  })
  .meta({ id: 'DailyUsage' });

export type DailyUsageQuery = z.infer<typeof dailyUsageQuery>;
export type DailyUsage = z.infer<typeof dailyUsageSchema>;
export type UsageQuota = z.infer<typeof usageQuotaSchema>;
