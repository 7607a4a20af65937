/**
 * FreeRADIUS 3 configuration for running it with rlm_sql against Uplink's database (see
 * docs/freeradius.md). `sqlModule` is the one file an operator swaps into a Debian install
 * (/etc/freeradius/3.0/mods-available/sql); `standaloneConfig` is a whole small raddb directory —
 * the test runs Debian's FreeRADIUS on it, and an operator can start from it.
 *
 * Table names stay FreeRADIUS's own (radcheck, radacct …): the database role `uplink_freeradius`
 * has `search_path = freeradius`, where the migration 20261122T0350_freeradius put the views, so
 * Debian's stock queries.conf is used unchanged.
 */

export interface DatabaseTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
}

export interface StandaloneOptions {
  /** The directory the files are written to (paths inside radiusd.conf point there). */
  dir: string;
  db: DatabaseTarget;
  listenAddress: string;
  authPort: number;
  acctPort: number;
  /** Debian's mods-config (for queries.conf): /etc/freeradius/3.0/mods-config. */
  modsConfigDir?: string;
}

/** A value inside double quotes in a FreeRADIUS config file. */
function quoted(value: string): string {
  if (/[\r\n]/.test(value)) throw new RangeError('a FreeRADIUS config value cannot hold a line break');
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function sqlModule(db: DatabaseTarget): string {
  return `# Uplink: FreeRADIUS reads subscribers, plans and NAS from Uplink's database (docs/freeradius.md).
sql {
	dialect = "postgresql"
	driver = "rlm_sql_postgresql"
	server = ${quoted(db.host)}
	port = ${db.port}
	login = ${quoted(db.user)}
	password = ${quoted(db.password ?? '')}
	radius_db = ${quoted(db.database)}

	postgresql {
		send_application_name = yes
	}

	# Views in schema freeradius (search_path of the role uplink_freeradius).
	acct_table1 = "radacct"
	acct_table2 = "radacct"
	postauth_table = "radpostauth"
	authcheck_table = "radcheck"
	groupcheck_table = "radgroupcheck"
	authreply_table = "radreply"
	groupreply_table = "radgroupreply"
	usergroup_table = "radusergroup"
	client_table = "nas"
	read_clients = yes
	delete_stale_sessions = yes
	group_attribute = "SQL-Group"

	pool {
		start = 1
		min = 1
		max = 8
		spare = 2
		uses = 0
		retry_delay = 5
		lifetime = 0
		idle_timeout = 60
	}

	$INCLUDE \${modconfdir}/\${.:name}/main/\${dialect}/queries.conf
}
`;
}

/** A complete raddb directory: PAP, CHAP and MS-CHAPv2 from SQL, accounting and post-auth to SQL. */
export function standaloneConfig(opts: StandaloneOptions): Record<string, string> {
  const radiusd = `# Uplink: a minimal FreeRADIUS 3 server reading everything from Uplink's database.
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
raddbdir = ${quoted(opts.dir)}
confdir = \${raddbdir}
logdir = \${raddbdir}/log
radacctdir = \${logdir}/radacct
run_dir = \${raddbdir}/run
db_dir = \${raddbdir}
modconfdir = ${quoted(opts.modsConfigDir ?? '/etc/freeradius/3.0/mods-config')}
libdir = /usr/lib/freeradius
name = freeradius
pidfile = \${run_dir}/\${name}.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
proxy_requests = no

log {
	destination = stdout
	colourise = no
	auth = yes
	auth_badpass = no
	auth_goodpass = no
}

security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
}

thread pool {
	start_servers = 2
	max_servers = 8
	min_spare_servers = 1
	max_spare_servers = 4
	max_requests_per_server = 0
	auto_limit_acct = no
}

modules {
	pap {
		normalise = yes
	}
	chap {
	}
	mschap {
	}
	# %{tolower:…} and %{md5:…} used by queries.conf and acct_unique.
	expr {
	}
	$INCLUDE \${confdir}/sql.conf
}

policy {
	# FreeRADIUS's acct_unique (policy.d/accounting) without the Class branch.
	acct_unique {
		update request {
			&Acct-Unique-Session-Id := "%{md5:%{User-Name},%{Acct-Session-ID},%{%{NAS-IPv6-Address}:-%{NAS-IP-Address}},%{NAS-Identifier},%{NAS-Port-ID},%{NAS-Port}}"
		}
	}
}

server default {
	listen {
		type = auth
		ipaddr = ${opts.listenAddress}
		port = ${opts.authPort}
	}
	listen {
		type = acct
		ipaddr = ${opts.listenAddress}
		port = ${opts.acctPort}
	}
	authorize {
		sql
		chap
		mschap
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
		Auth-Type CHAP {
			chap
		}
		Auth-Type MS-CHAP {
			mschap
		}
	}
	preacct {
		acct_unique
	}
	accounting {
		sql
	}
	session {
		sql
	}
	post-auth {
		sql
		Post-Auth-Type REJECT {
			sql
		}
	}
}
`;
  return {
    'radiusd.conf': radiusd,
    'sql.conf': sqlModule(opts.db),
    // radiusd reads raddb/dictionary after Debian's /usr/share/freeradius/dictionary (MikroTik included).
    dictionary: '# Local dictionary additions: none.\n',
  };
}
