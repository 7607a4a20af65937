import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { ipamRoutes } from './ipam.routes.ts';
import { nasRoutes } from './nas.routes.ts';

/** The network module's HTTP routes: NAS and IPAM. */
export function networkRoutes(app: TypedApp, ctx: AppContext): void {
  nasRoutes(app, ctx);
  ipamRoutes(app, ctx);
}
