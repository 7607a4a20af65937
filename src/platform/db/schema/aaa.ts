/** The tables of migration 20261122T0340_aaa. */
export interface AaaTables {}
