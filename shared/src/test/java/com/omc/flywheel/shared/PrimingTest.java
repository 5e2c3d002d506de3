package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** SnapStart priming: every handler registers its priming, which never fails the snapshot. */
class PrimingTest {
    record Ping(String name) {
        Ping {
            Fields.required("name", name);
        }
    }

    static final AtomicInteger AWS_PRIMES = new AtomicInteger();

    static final class PingHandler extends JsonHandler<Ping, Ping> {
        PingHandler() {
            super("ping", Ping.class);
        }

        @Override
        protected void primeAws() {
            AWS_PRIMES.incrementAndGet();
            throw new IllegalStateException("no network at checkpoint");
        }

        @Override
        protected Ping handle(Ping event, Context context) {
            return event;
        }
    }

    @Test
    void aHandlerIsPrimedAtTheCheckpointAndAFailingPrimeIsOnlyLogged() {
        new PingHandler();
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        JsonLog.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            assertTrue(Priming.primeAll() >= 1);
        } finally {
            JsonLog.redirect(System.err);
        }
        assertEquals(1, AWS_PRIMES.get());
        assertTrue(logs.toString(StandardCharsets.UTF_8).contains("priming failed; the snapshot is taken anyway"),
                logs.toString(StandardCharsets.UTF_8));
    }
}
