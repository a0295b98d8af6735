package io.kinesisha.controller.operations;

import static org.awaitility.Awaitility.await;

import io.kinesisha.controller.operations.OperationDriver.Report;
import io.kinesisha.controller.operations.OperationDriver.Result;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A failback run the way an operator (and the drill) runs it on a loaded machine: the controller refuses it while a
 * probe of the primary fails, before it starts or at its health-check step, and a probe of a busy emulator can time
 * out at a few hundred milliseconds; the answer is to run it again, for up to a minute. Any other outcome is returned.
 */
final class PatientFailback {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private PatientFailback() {}

    static Report run(PairContext ctx, Consumer<String> progress) {
        AtomicReference<Report> last = new AtomicReference<>();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
                Report report = new OperationDriver(ctx, progress).failback(Duration.ZERO, "test");
                last.set(report);
                return !(report.result() == Result.REJECTED && report.message().contains("is not healthy"));
            } catch (IllegalStateException refusedAtHealthCheck) {
                if (String.valueOf(refusedAtHealthCheck.getMessage()).contains("is not healthy")) {
                    progress.accept("retrying: " + refusedAtHealthCheck.getMessage());
                    return false;
                }
                throw refusedAtHealthCheck;
            }
        });
        return last.get();
    }
}
