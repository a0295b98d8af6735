package io.kinesisha.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * kinesis-local sometimes ignores SIGTERM at teardown (an HTTP/2 connection it never closes holds its shutdown), and
 * then it has persisted nothing anyway. An environment whose data nobody reads again (tests, demo, drill) must not
 * wait the long grace for it; one whose data is kept ({@code local up}) still does.
 */
class LocalEnvironmentTeardownTest {

    @Test
    void aDisposableEnvironmentForceStopsAnEmulatorThatIgnoresSigtermWithinTheShortGrace() throws Exception {
        LocalEnvironment env = LocalEnvironment.builder()
                .region("us-west-2")
                .workDir(workDir("disposable"))
                .start();

        Duration took = closeWithItsEmulatorFrozen(env);

        assertThat(took)
                .as(
                        "teardown of a disposable environment waits the short grace, not the %s one",
                        LocalEnvironment.KEEP_DATA_GRACE)
                .isLessThan(LocalEnvironment.KEEP_DATA_GRACE);
    }

    @Test
    void anEnvironmentThatKeepsItsDataWaitsTheLongGraceForItsEmulatorToPersist() throws Exception {
        LocalEnvironment env = LocalEnvironment.builder()
                .region("us-west-2")
                .workDir(workDir("kept"))
                .keepDataOnClose(true)
                .start();

        Duration took = closeWithItsEmulatorFrozen(env);

        assertThat(took).isGreaterThanOrEqualTo(LocalEnvironment.KEEP_DATA_GRACE);
    }

    /**
     * Freezes the emulator (SIGSTOP: it keeps SIGTERM pending, as kinesis-local does while its shutdown hangs), closes
     * the environment and returns how long that took; the emulator must be gone after it.
     */
    private static Duration closeWithItsEmulatorFrozen(LocalEnvironment env) throws Exception {
        long pid = env.primary().pid();
        assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(pid))
                        .start()
                        .waitFor())
                .isZero();
        long started = System.nanoTime();
        env.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("the frozen emulator is gone")
                .isFalse();
        return took;
    }

    private static Path workDir(String name) {
        return Paths.get("target", "local-env", "teardown-" + name + "-" + System.currentTimeMillis())
                .toAbsolutePath();
    }
}
