/**
 * The one HTTP router. Each feature contributes its routes as a Layer built
 * with `ApiRouter.use(...)`; the HTTP server layer turns `ApiRouter.router`
 * into a Node request handler that shares its http.Server with Socket.IO.
 */
import { HttpRouter } from "@effect/platform"

export class ApiRouter extends HttpRouter.Tag("superdarn-hub/ApiRouter")<ApiRouter>() {}
