import { childPath, rootPath } from '../../core/organizations.ts';
import type { OrganizationKind } from '../../platform/db/schema.ts';
import { bangladeshi, kenyan, type NamePool } from './demo.names.ts';

/**
 * The demo data set, built by a seeded generator: the same organizations, people and ids every
 * time (dates are relative to the moment it is loaded). A Kenyan ISP with resellers on the coast,
 * by the lake and, with its own currency, in Dhaka.
 */
export const DEMO_DATASET = 'kenya-isp-v1';
export const DEMO_DOMAIN = 'demo.uplink.test';

export interface DemoOrganization {
  id: string;
  parent_id: string | null;
  kind: OrganizationKind;
  name: string;
  path: string;
  depth: number;
  currency: string;
  timezone: string;
  locale: string;
  contact_email: string;
  contact_phone: string;
  address: string;
  tax_id: string | null;
}

export interface DemoUser {
  id: string;
  organization_id: string;
  email: string;
  name: string;
  role_key: string;
  locale: string;
  status: 'active' | 'disabled';
  created_at: Date;
  last_login_at: Date | null;
}

interface OrgSpec {
  key: string;
  parent: string | null;
  kind: OrganizationKind;
  name: string;
  currency: string;
  timezone: string;
  locale: string;
  phone: string;
  address: string;
  taxId?: string;
  /** Staff roles working here, each with one person; the first is the organization's main login. */
  staff: string[];
  customers: number;
}

const kenya = { currency: 'KES', timezone: 'Africa/Nairobi' };
const bangladesh = { currency: 'BDT', timezone: 'Asia/Dhaka' };
const ispStaff = ['admin', 'developer', 'super_admin', 'manager', 'staff', 'staff', 'support', 'support', 'accountant'];

const tree: OrgSpec[] = [
  { key: 'isp', parent: null, kind: 'isp', name: 'Kilima Broadband Ltd', ...kenya, locale: 'en', phone: '+254 20 765 4300', address: 'Kimathi Street 12, Nairobi', taxId: 'P051234567K', staff: ispStaff, customers: 60 },
  { key: 'mombasa', parent: 'isp', kind: 'reseller', name: 'Pwani Connect (Mombasa)', ...kenya, locale: 'sw', phone: '+254 41 222 8140', address: 'Moi Avenue 48, Mombasa', taxId: 'P051876543M', staff: ['reseller', 'staff', 'support'], customers: 30 },
  { key: 'nyali', parent: 'mombasa', kind: 'sub_reseller', name: 'Nyali Estate WiFi', ...kenya, locale: 'sw', phone: '+254 722 410 337', address: 'Links Road, Nyali', staff: ['sub_reseller'], customers: 35 },
  { key: 'likoni', parent: 'mombasa', kind: 'sub_reseller', name: 'Likoni Community Net', ...kenya, locale: 'sw', phone: '+254 733 905 118', address: 'Ferry Road, Likoni', staff: ['sub_reseller'], customers: 30 },
  { key: 'bamburi', parent: 'mombasa', kind: 'card_partner', name: 'Bamburi Airtime & Cards', ...kenya, locale: 'sw', phone: '+254 711 503 992', address: 'Bamburi Mtambo, Mombasa', staff: ['card_distributor'], customers: 0 },
  { key: 'kisumu', parent: 'isp', kind: 'reseller', name: 'Lakeside Networks (Kisumu)', ...kenya, locale: 'en', phone: '+254 57 202 3311', address: 'Oginga Odinga Street 7, Kisumu', taxId: 'P052345678Q', staff: ['reseller', 'support'], customers: 40 },
  { key: 'kondele', parent: 'kisumu', kind: 'sub_reseller', name: 'Kondele Fibre Hub', ...kenya, locale: 'en', phone: '+254 724 118 650', address: 'Kondele Market, Kisumu', staff: ['sub_reseller'], customers: 30 },
  { key: 'dhaka', parent: 'isp', kind: 'reseller', name: 'Padma Link (Dhaka)', ...bangladesh, locale: 'bn', phone: '+880 2 5501 7720', address: 'Road 11, Banani, Dhaka', taxId: 'BIN 000412356-0101', staff: ['reseller', 'staff', 'support', 'accountant'], customers: 45 },
  { key: 'mirpur', parent: 'dhaka', kind: 'sub_reseller', name: 'Mirpur Net Point', ...bangladesh, locale: 'bn', phone: '+880 1711 402 915', address: 'Section 10, Mirpur, Dhaka', staff: ['sub_reseller'], customers: 40 },
  { key: 'tausi', parent: 'isp', kind: 'card_partner', name: 'Tausi Vouchers (Nairobi CBD)', ...kenya, locale: 'en', phone: '+254 700 315 208', address: 'Tom Mboya Street 3, Nairobi', staff: ['card_distributor'], customers: 0 },
];

/** mulberry32: small, fast and good enough to pick names; seeded, so the set never changes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)]!;
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const DAY = 86_400_000;

export function buildDemoDataset(now: Date): { organizations: DemoOrganization[]; users: DemoUser[] } {
  const random = seededRandom(20_261_121);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const organizations = buildOrganizations(random);
  const byKey = new Map(tree.map((spec, i) => [spec.key, organizations[i]!]));
  const emails = new Set<string>();
  const uniqueEmail = (local: string) => {
    let email = `${local}@${DEMO_DOMAIN}`;
    for (let n = 2; emails.has(email); n++) email = `${local}${n}@${DEMO_DOMAIN}`;
    emails.add(email);
    return email;
  };
  const person = (pool: NamePool) => ({ given: pick(pool.given), family: pick(pool.family) });
  const users: DemoUser[] = [];
  for (const spec of tree) {
    const org = byKey.get(spec.key)!;
    const pool = spec.currency === 'BDT' ? bangladeshi : kenyan;
    const rolesSeen = new Set<string>();
    spec.staff.forEach((role, i) => {
      const p = person(pool);
      // The first person in each role gets an address that says what it is: easy demo logins.
      const roleMail = spec.key === 'isp' ? role.replace('_', '-') : `${role.replace('_', '-')}.${spec.key}`;
      const local = rolesSeen.has(role) ? `${p.given}.${p.family}`.toLowerCase() : roleMail;
      rolesSeen.add(role);
      users.push({
        id: uuidFrom(random), organization_id: org.id, email: uniqueEmail(local), name: `${p.given} ${p.family}`, role_key: role,
        locale: spec.locale, status: 'active', created_at: new Date(now.getTime() - (600 + i) * DAY), last_login_at: new Date(now.getTime() - Math.floor(random() * 3 * DAY)),
      });
    });
    for (let i = 0; i < spec.customers; i++) {
      const p = person(pool);
      const recent = random() < 0.6;
      users.push({
        id: uuidFrom(random), organization_id: org.id, email: uniqueEmail(`${p.given}.${p.family}`.toLowerCase()), name: `${p.given} ${p.family}`,
        role_key: 'customer', locale: spec.currency === 'BDT' ? 'bn' : pick(['en', 'sw']), status: random() < 0.03 ? 'disabled' : 'active',
        created_at: new Date(now.getTime() - Math.floor(random() * 540 * DAY)), last_login_at: recent ? new Date(now.getTime() - Math.floor(random() * 30 * DAY)) : null,
      });
    }
  }
  return { organizations, users };
}

function buildOrganizations(random: () => number): DemoOrganization[] {
  const out: DemoOrganization[] = [];
  const byKey = new Map<string, DemoOrganization>();
  for (const spec of tree) {
    const id = uuidFrom(random);
    const parent = spec.parent ? byKey.get(spec.parent)! : null;
    const org: DemoOrganization = {
      id, parent_id: parent?.id ?? null, kind: spec.kind, name: spec.name, path: parent ? childPath(parent.path, id) : rootPath(id),
      depth: parent ? parent.depth + 1 : 0, currency: spec.currency, timezone: spec.timezone, locale: spec.locale,
      contact_email: `${spec.key}@${DEMO_DOMAIN}`, contact_phone: spec.phone, address: spec.address, tax_id: spec.taxId ?? null,
    };
    byKey.set(spec.key, org);
    out.push(org);
  }
  return out;
}
