import Vapor

/// Runs a list of `AsyncMiddleware` as one middleware, calling each layer's async `respond` directly.
///
/// Registered one by one, every `AsyncMiddleware` starts a task of its own and waits for the next
/// layer through an `EventLoopFuture`, so a request crossed between the event loop and Swift's
/// task pool twice per layer: nine layers made a trivial request wake threads some twenty times,
/// and those wake-ups were a third of the server's CPU. Here the request enters the task pool once.
/// Each layer sees the same request and the same next step as before, so their behaviour is unchanged.
struct AsyncMiddlewareStack: Middleware {
    let layers: [any AsyncMiddleware]

    init(_ layers: [any AsyncMiddleware]) {
        self.layers = layers
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let promise = request.eventLoop.makePromise(of: Response.self)
        let layers = self.layers
        promise.completeWithTask {
            // Routes with async handlers answer without another hop; anything else through its future.
            let end: any AsyncResponder = (next as? any AsyncResponder) ?? AsyncBasicResponder { try await next.respond(to: $0).get() }
            return try await Layer(rest: layers[...], end: end).respond(to: request)
        }
        return promise.futureResult
    }

    /// The layers not yet entered, then the route.
    private struct Layer: AsyncResponder {
        let rest: ArraySlice<any AsyncMiddleware>
        let end: any AsyncResponder

        func respond(to request: Request) async throws -> Response {
            guard let layer = rest.first else { return try await end.respond(to: request) }
            return try await layer.respond(to: request, chainingTo: Layer(rest: rest.dropFirst(), end: end))
        }
    }
}
