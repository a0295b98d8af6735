package io.kinesisha.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    @Test
    void writesOneSelfContainedFileWithTheSummaryAndTwoDecodableCharts(@TempDir Path dir) throws Exception {
        Timeline t = new Timeline(Clock.fixed(T0, ZoneOffset.UTC));
        for (int s = 0; s <= 60; s++) {
            boolean outage = s >= 20 && s < 30;
            t.sample(
                    T0.plusSeconds(s),
                    200L * s,
                    outage ? 200L * 19 : 200L * s - 50,
                    outage ? null : 100L + s,
                    s < 25 ? "us-west-2" : "us-east-2");
        }
        t.mark(Timeline.OUTAGE, T0.plusSeconds(20));
        t.mark(Timeline.FAILOVER_DETECTED, T0.plusSeconds(23));
        t.mark(Timeline.FAILOVER_DONE, T0.plusSeconds(25));
        t.mark(Timeline.PRIMARY_RESTORED, T0.plusSeconds(40));
        t.mark(Timeline.FAILBACK_DONE, T0.plusSeconds(50));
        Map<String, Object> rows = new LinkedHashMap<>();
        rows.put("records produced", 12_000);
        rows.put("records lost", 17);
        rows.put("RTO", "4.2 s");
        rows.put("lag p99", Percentiles.of(t.lagValues()).format(99, " ms"));
        rows.put("note <escaped>", "a & b");

        Path file = new HtmlReport("Regional failover demo")
                .describe("two regions, 20 keys")
                .rows(rows)
                .section("Duplicate examples", List.of("key-03:17 in us-east-2"))
                .timeline(t)
                .write(dir.resolve("out/report.html"));

        assertThat(file).isAbsolute().exists();
        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(html)
                .startsWith("<!DOCTYPE html>")
                .contains("<th>records produced</th><td class=\"v\">12000</td>")
                .contains("<th>records lost</th><td class=\"v\">17</td>")
                .contains("<th>RTO</th><td class=\"v\">4.2 s</td>")
                .contains("<th>lag p99</th><td class=\"v\">160 ms</td>")
                .contains("note &lt;escaped&gt;", "a &amp; b", "key-03:17 in us-east-2")
                .contains(Timeline.OUTAGE, Timeline.FAILBACK_DONE, "us-east-2")
                .doesNotContain("<script", "http://", "https://");

        Matcher m = Pattern.compile("<img id=\"(\\w+)\"[^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")
                .matcher(html);
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(m.group(1));
            BufferedImage image =
                    ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2))));
            assertThat(image).as("chart %s decodes as PNG", m.group(1)).isNotNull();
            assertThat(image.getWidth()).isEqualTo(HtmlReport.CHART_WIDTH);
            assertThat(image.getHeight()).isEqualTo(HtmlReport.CHART_HEIGHT);
            assertThat(distinctColours(image))
                    .as("a drawn chart, not a blank image")
                    .isGreaterThan(5);
        }
        assertThat(ids).containsExactly("lag", "throughput");
    }

    @Test
    void furtherChartsAreDrawnAfterTheTimelinesWithItsEvents(@TempDir Path dir) throws Exception {
        Timeline t = new Timeline(Clock.fixed(T0, ZoneOffset.UTC));
        for (int s = 0; s <= 60; s += 10) {
            t.sample(T0.plusSeconds(s), 100L * s, 100L * s, 1500L, null);
        }
        t.mark("split", T0.plusSeconds(30));
        double[] seconds = {0, 10, 20, 30, 40, 50, 60};
        String html = Files.readString(new HtmlReport("soak")
                .timeline(t)
                .chart(
                        "Heap after GC",
                        "MB",
                        List.of(new HtmlReport.Series(
                                "heap after GC (MB)", seconds, new double[] {80, 82, 81, Double.NaN, 83, 80, 82})))
                .write(dir.resolve("soak.html")));

        assertThat(html).contains("<h2>Heap after GC</h2>").doesNotContain("Gaps:");
        Matcher m = Pattern.compile("<img id=\"(\\w+)\"").matcher(html);
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        assertThat(ids).containsExactly("lag", "throughput", "chart1");
        assertThatThrownBy(() -> new HtmlReport.Series("bad", new double[2], new double[3]))
                .hasMessageContaining("'bad' has 2 times and 3 values");
    }

    @Test
    void aTimelineWithoutSamplesStillGivesAReport(@TempDir Path dir) throws Exception {
        Timeline t = new Timeline(Clock.fixed(T0, ZoneOffset.UTC));
        t.mark(Timeline.OUTAGE, T0);
        String html = Files.readString(
                new HtmlReport("empty").row("records produced", 0).timeline(t).write(dir.resolve("r.html")));
        assertThat(html)
                .contains("no lag samples", "no samples", Timeline.OUTAGE)
                .doesNotContain("<img");
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int x = 0; x < image.getWidth(); x += 7) {
            for (int y = 0; y < image.getHeight(); y += 7) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
