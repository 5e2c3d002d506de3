package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.lambda.FunctionPackages;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * SnapStart's checkpoint, simulated on each function's deployment package: the handler is built
 * (Lambda's init), then the priming registered with org.crac runs. Every function reaches every
 * service it calls during priming, through the shrunk jar that is deployed: a class ProGuard dropped
 * and the priming needs would fail here with NoClassDefFoundError, which priming does not swallow.
 */
class SnapStartPrimingTest {
    /** The services each function's priming calls (check-status primes its Glue path only). */
    private static final Map<String, Set<String>> PRIMED = Map.of(
            "start-glue-job", Set.of("glue"),
            "check-status", Set.of("glue"),
            "msck-repair", Set.of("glue", "s3", "athena"),
            "associate-tables", Set.of("glue", "cleanrooms"),
            "build-report", Set.of("glue", "s3", "athena", "cleanrooms", "entityresolution"),
            "resolve-snapshot", Set.of("s3", "states"),
            "fetch-active-topics", Set.of("dynamodb", "states"),
            "notify-failure", Set.of("states"),
            "refresh-er-table", Set.of("glue", "athena", "s3"));

    @TestFactory
    Stream<DynamicTest> everyFunctionPrimesTheServicesItCalls() {
        return StateMachineHarness.HANDLERS.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            LocalCloud cloud = StateMachineHarness.fresh();
            Path lib = FunctionPackages.lib(SampleEvents.repoRoot(), e.getKey());
            FunctionPackages.handler(lib, e.getValue().getName()).get();
            cloud.proxy().resetCounts();
            assertTrue(FunctionPackages.primeAll(lib) >= 1, "a priming is registered");
            Set<String> services = new TreeSet<>();
            cloud.proxy().counts().keySet().forEach(k -> services.add(k.substring(0, k.indexOf(':'))));
            assertEquals(new TreeSet<>(PRIMED.get(e.getKey())), services, "calls made: " + cloud.proxy().counts());
            // A priming call names nothing real and is meant to be answered "not found" or "denied" (Priming.call):
            // the local IAM check's denials of these calls are expected.
            cloud.iam().reset();
        }));
    }
}
