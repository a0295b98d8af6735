package io.kinesisha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo as a newcomer runs it, shortened: through ./kinesis-ha, a regional outage under keyed load, automatic
 * failover, the primary back, failback, and the record-by-record verdict. This is also the full-cycle test of
 * failback: nothing acknowledged lost in either region, no loop, per-key order kept within each region except the
 * republished orphans (counted), duplicates only from the write in doubt at the outage; every consumer kind (the
 * Lambda-like checking consumer) skipped nothing. Ctrl-C leaves nothing running.
 */
class DemoIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDemoFailsOverAndBackWithoutLosingARecord() throws Exception {
        Path home = Paths.get("target", "kha-home-demo-" + System.currentTimeMillis())
                .toAbsolutePath();
        Path html = home.resolve("demo-report.html");
        // about 75 s; a loaded 2-core machine has taken 176 s (the EFO lease the emulator holds after a stalled
        // subscription), and the demo bounds each of its own waits
        Launcher.Result demo = new Launcher(home)
                .waitingUpTo(Duration.ofMinutes(5))
                .run(
                        "demo",
                        "--duration",
                        "20s",
                        "--rate",
                        "100",
                        "--keys",
                        "50",
                        "--shards",
                        "2",
                        "--kcl",
                        "--report",
                        html.toString(),
                        "--output",
                        "json");
        System.out.println("DEMO stderr (tail):\n" + tail(demo.err(), 40));
        System.out.println("DEMO JSON:\n" + demo.out());
        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        JsonNode root = JSON.readTree(demo.out());
        JsonNode r = root.get("report");
        assertThat(root.get("passed").asBoolean()).isTrue();
        assertThat(r.get("acknowledgedByPrimary").asLong())
                .as("load before the outage and after failback")
                .isPositive();
        assertThat(r.get("acknowledgedBySecondary").asLong())
                .as("load while failed over")
                .isPositive();
        assertThat(r.get("lostInPrimary").asLong()).isZero();
        assertThat(r.get("lostInSecondary").asLong()).isZero();
        assertThat(r.get("loops").asLong()).isZero();
        assertThat(r.get("reordersInPrimary").asLong()).isZero();
        assertThat(r.get("unexpectedReordersInSecondary").asLong()).isZero();
        assertThat(r.get("orphansCopied").asLong())
                .as("every orphan copied once")
                .isEqualTo(r.get("orphans").asLong());
        assertThat(r.get("falseOrphans").asLong())
                .as("no replicated record taken for an orphan")
                .isZero();
        assertThat(r.get("replicatedBack").asLong())
                .as("everything acknowledged by the secondary reached the primary")
                .isEqualTo(r.get("acknowledgedBySecondary").asLong());
        assertThat(r.get("duplicatesInPrimary").asLong())
                .as("only the write in doubt at the outage is duplicated")
                .isLessThanOrEqualTo(r.get("inDoubt").asLong());
        assertThat(r.get("detectionMillis").asLong()).isBetween(1L, 15_000L);
        assertThat(r.get("failoverRtoMillis").asLong()).isPositive();
        JsonNode consumer = r.get("consumer");
        assertThat(consumer.get("notSeen").asLong())
                .as("the consumer saw every acknowledged record")
                .isZero();
        assertThat(consumer.get("consumed").asLong())
                .isGreaterThanOrEqualTo(r.get("acknowledged").asLong());
        assertThat(r.get("consumerKinds")).as("one entry per consumer kind").isNotEmpty();
        r.get("consumerKinds")
                .forEach(kind -> assertThat(kind.get("skips").asLong())
                        .as(kind.get("kind").asText() + " skips")
                        .isZero());
        // --kcl: a real KCL application moved on the leases the controller translated (skips checked above)
        assertThat(r.get("consumerKinds"))
                .extracting(kind -> kind.get("kind").asText())
                .contains("kcl");
        String page = Files.readString(Paths.get(root.get("html").asText()), StandardCharsets.UTF_8);
        assertThat(page).contains("<img", "data:image/png;base64,", "RTO failover", "failback done");
        // --output json keeps the steps off the terminal; the run's own log has every one, with times
        Matcher logLine =
                Pattern.compile("kinesis-ha demo: its whole log: (\\S+)").matcher(demo.err());
        assertThat(logLine.find()).as("the demo names its log on stderr").isTrue();
        assertThat(Files.readString(Paths.get(logLine.group(1)), StandardCharsets.UTF_8))
                .contains("failback: step 4/14 AWAIT_REPLICATION_CATCH_UP done in", "phase: done");
        assertThat(leftovers(home)).as("no emulator left running").isEmpty();
    }

    @Test
    void ctrlCStopsEverythingItStarted() throws Exception {
        Path home = Paths.get("target", "kha-home-demo-int-" + System.currentTimeMillis())
                .toAbsolutePath();
        Files.createDirectories(home);
        Path log = home.resolve("demo.log");
        Process demo = new Launcher(home).start(log, "demo", "--duration", "60s");
        try {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> Files.readString(log).contains("phase: warm-up"));
            assertThat(leftovers(home)).as("the demo runs its emulators").isNotEmpty();
            // Ctrl-C: the launcher exec's java, so the JVM is this process; SIGINT runs the shutdown hooks
            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid()))
                    .start()
                    .waitFor();
            // well before the 60 s demo would end by itself: Ctrl-C stops it, it does not run on to its verdict
            assertThat(demo.waitFor(30, TimeUnit.SECONDS))
                    .as("the demo exits within 30 s of Ctrl-C")
                    .isTrue();
            assertThat(Files.readString(log))
                    .as("the demo stopped at Ctrl-C, before its outage")
                    .doesNotContain("phase: outage", "phase: done");
            await().atMost(Duration.ofSeconds(30)).until(() -> leftovers(home).isEmpty());
        } finally {
            if (demo.isAlive()) {
                demo.destroy();
            }
        }
    }

    /** kinesis-local processes whose data lives under {@code home} (PERSIST_PATH in their environment). */
    private static List<Long> leftovers(Path home) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info()
                        .arguments()
                        .map(a -> a.length > 0 && a[a.length - 1].equals("main.js"))
                        .orElse(false))
                .filter(h -> {
                    try {
                        byte[] environ = Files.readAllBytes(Paths.get("/proc", Long.toString(h.pid()), "environ"));
                        return new String(environ, StandardCharsets.UTF_8).contains(home.toString());
                    } catch (java.io.IOException | RuntimeException gone) {
                        return false;
                    }
                })
                .map(ProcessHandle::pid)
                .toList();
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }
}
