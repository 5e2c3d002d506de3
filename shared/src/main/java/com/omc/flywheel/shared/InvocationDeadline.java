package com.omc.flywheel.shared;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the invocation that is running ends: {@link JsonHandler} records it from
 * {@link Context#getRemainingTimeInMillis()} for the length of each request, and the SDK clients'
 * {@link DeadlineInterceptor} reads it so that no AWS call outlives the invocation.
 *
 * <p>A Lambda execution environment runs one invocation at a time, so the deadline is held
 * statically and the function's worker threads (built at init, reused across requests) see it as
 * the request's own thread does. In a local JVM ({@code LocalLambdas}) two invocations of one
 * function can overlap in one class loader; then the request's own thread sees its own deadline,
 * and a worker thread the latest of those running (never a call cut short for another
 * invocation's sake).
 */
public final class InvocationDeadline {
    private static final Set<Scope> RUNNING = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<Scope> OWN = new ThreadLocal<>();
    /** The scope of a request with no context (a test calling a handler directly): no deadline. */
    private static final Scope NONE = new Scope(Long.MAX_VALUE);

    private InvocationDeadline() {
    }

    /**
     * Records the deadline of the invocation starting now on this thread; close the scope when it
     * ends. A null context (a handler called directly) records nothing.
     */
    public static Scope begin(Context context) {
        return context == null ? NONE : begin(context.getRemainingTimeInMillis());
    }

    /** Records a deadline {@code remainingMillis} from now (see {@link #begin(Context)}). */
    public static Scope begin(long remainingMillis) {
        Scope scope = new Scope(System.nanoTime() + Math.max(0, remainingMillis) * 1_000_000L);
        RUNNING.add(scope);
        OWN.set(scope);
        return scope;
    }

    /** The time left in the running invocation, or empty when none is running (0 once it has passed). */
    public static OptionalLong remainingMillis() {
        Scope own = OWN.get();
        long deadline;
        if (own != null && RUNNING.contains(own)) {
            deadline = own.deadlineNanos;
        } else {
            deadline = Long.MIN_VALUE;
            for (Scope s : RUNNING) {
                deadline = Math.max(deadline, s.deadlineNanos);
            }
            if (deadline == Long.MIN_VALUE) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(Math.max(0, (deadline - System.nanoTime()) / 1_000_000L));
    }

    /** One invocation's deadline, from {@link #begin} until {@link #close()}. */
    public static final class Scope implements AutoCloseable {
        private final long deadlineNanos;

        private Scope(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void close() {
            if (this == NONE) {
                return;
            }
            RUNNING.remove(this);
            if (OWN.get() == this) {
                OWN.remove();
            }
        }
    }
}
