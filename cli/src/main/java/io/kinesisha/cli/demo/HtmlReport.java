package io.kinesisha.cli.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The demo's result as ONE self-contained HTML file that opens offline anywhere (no scripts, no external CSS,
 * fonts or images): a summary table of the key/value rows the caller passes (records produced, lost, RTO, RPO,
 * ...), optional sections of text lines (examples of duplicates, the audit trail, ...), and two charts drawn from a
 * {@link Timeline} with XChart: replication lag over time, and throughput (produced/s, consumed/s) over time, both
 * with the timeline's events as labelled vertical lines, and any further charts the caller adds ({@link #chart}: the
 * soak benchmark's heap and load) in the same style. Charts are rendered headless to PNG and inlined as base64
 * {@code <img>} (PNG rather than SVG: a tenth of the size and shown identically by every browser); the samples are
 * also listed in a collapsed table, so the numbers behind the charts are in the file too.
 *
 * <p>Rendering needs no display: this class sets {@code java.awt.headless=true} unless the JVM was started with a
 * value for it.
 */
public final class HtmlReport {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final int CHART_WIDTH = 1000;
    static final int CHART_HEIGHT = 380;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final String title;
    private final List<String> description = new ArrayList<>();
    private final Map<String, String> summary = new LinkedHashMap<>();
    private final Map<String, List<String>> sections = new LinkedHashMap<>();
    private final List<Chart> charts = new ArrayList<>();
    private Timeline timeline;

    /** One line of a chart: values at seconds since the timeline's start ({@code NaN} for a gap). */
    public record Series(String name, double[] seconds, double[] values) {
        public Series {
            Objects.requireNonNull(name, "name");
            if (seconds.length != values.length) {
                throw new IllegalArgumentException(
                        "series '" + name + "' has " + seconds.length + " times and " + values.length + " values");
            }
        }
    }

    private record Chart(String title, String yTitle, List<Series> series) {}

    public HtmlReport(String title) {
        this.title = Objects.requireNonNull(title, "title");
    }

    /** A paragraph under the title (what ran, where, when). */
    public HtmlReport describe(String paragraph) {
        description.add(Objects.requireNonNull(paragraph, "paragraph"));
        return this;
    }

    /** A summary row; rows keep the order they were added in, a key added again replaces its value. */
    public HtmlReport row(String key, Object value) {
        summary.put(Objects.requireNonNull(key, "key"), String.valueOf(value));
        return this;
    }

    /** Summary rows in the map's iteration order (pass a LinkedHashMap). */
    public HtmlReport rows(Map<String, ?> rows) {
        rows.forEach(this::row);
        return this;
    }

    /** A titled list of lines (shown as preformatted text), e.g. examples of duplicates or the audit trail. */
    public HtmlReport section(String heading, List<String> lines) {
        sections.put(Objects.requireNonNull(heading, "heading"), List.copyOf(lines));
        return this;
    }

    /** The timeline the charts and the sample table are drawn from (read when the report is rendered). */
    public HtmlReport timeline(Timeline timeline) {
        this.timeline = Objects.requireNonNull(timeline, "timeline");
        return this;
    }

    /**
     * A further chart after the timeline's (if any), drawn the same way and with the timeline's events as vertical
     * lines; charts keep the order they were added in.
     */
    public HtmlReport chart(String title, String yTitle, List<Series> series) {
        charts.add(new Chart(
                Objects.requireNonNull(title, "title"), Objects.requireNonNull(yTitle, "yTitle"), List.copyOf(series)));
        return this;
    }

    /** Writes the report to {@code file} (parent folders created, file replaced) and returns its absolute path. */
    public Path write(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        Files.writeString(target, render(), StandardCharsets.UTF_8);
        return target;
    }

    /** The HTML text. */
    public String render() {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:2em auto;"
                        + "max-width:1060px;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0}\n")
                .append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:left;vertical-align:top}\n")
                .append("th{background:#f2f2f2}\ntd.v{font-family:monospace;text-align:right}\n")
                .append("img{max-width:100%;border:1px solid #ddd}\npre{background:#f7f7f7;padding:8px;"
                        + "overflow-x:auto}\n")
                .append("</style>\n</head>\n<body>\n<h1>")
                .append(esc(title))
                .append("</h1>\n");
        for (String p : description) {
            h.append("<p>").append(esc(p)).append("</p>\n");
        }
        h.append("<h2>Summary</h2>\n<table class=\"summary\">\n");
        summary.forEach((k, v) -> h.append("<tr><th>")
                .append(esc(k))
                .append("</th><td class=\"v\">")
                .append(esc(v))
                .append("</td></tr>\n"));
        h.append("</table>\n");
        if (timeline != null) {
            appendCharts(h, timeline);
        }
        appendExtraCharts(h);
        for (Map.Entry<String, List<String>> s : sections.entrySet()) {
            h.append("<h2>").append(esc(s.getKey())).append("</h2>\n");
            if (s.getValue().isEmpty()) {
                h.append("<p>none</p>\n");
            } else {
                h.append("<pre>");
                s.getValue().forEach(l -> h.append(esc(l)).append('\n'));
                h.append("</pre>\n");
            }
        }
        if (timeline != null) {
            appendTables(h, timeline);
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void appendCharts(StringBuilder h, Timeline t) {
        List<Timeline.Sample> samples = t.samples();
        List<Timeline.Event> events = t.events();
        Instant start = t.startedAt();
        h.append("<h2>Replication lag</h2>\n");
        List<Timeline.Sample> withLag =
                samples.stream().filter(s -> s.lagMillis() != null).toList();
        if (withLag.isEmpty()) {
            h.append("<p>no lag samples</p>\n");
        } else {
            // from the first measurement on; an unknown lag (replication fenced: outage, switches) is a gap, not a line
            List<Timeline.Sample> fromFirst = samples.subList(samples.indexOf(withLag.get(0)), samples.size());
            XYChart chart = chart("Replication lag", "ms");
            addSeries(
                    chart,
                    "replication lag (ms)",
                    fromFirst,
                    start,
                    s -> s.lagMillis() == null ? Double.NaN : s.lagMillis());
            img(h, "replication lag chart", "lag", chart, events, start, max(withLag, s -> s.lagMillis()));
            if (withLag.size() < fromFirst.size()) {
                h.append("<p>Gaps: no replication direction is permitted (the outage until failback reverses "
                        + "replication, and the moment of each switch), so there is no lag to measure.</p>\n");
            }
        }
        h.append("<h2>Throughput</h2>\n");
        if (samples.isEmpty()) {
            h.append("<p>no samples</p>\n");
        } else {
            XYChart chart = chart("Throughput", "records/s");
            addSeries(chart, "produced/s", samples, start, Timeline.Sample::producedPerSecond);
            addSeries(chart, "consumed/s", samples, start, Timeline.Sample::consumedPerSecond);
            double top = Math.max(
                    max(samples, Timeline.Sample::producedPerSecond), max(samples, Timeline.Sample::consumedPerSecond));
            img(h, "throughput chart", "throughput", chart, events, start, top);
        }
    }

    private void appendExtraCharts(StringBuilder h) {
        List<Timeline.Event> events = timeline == null ? List.of() : timeline.events();
        Instant start = timeline == null ? Instant.EPOCH : timeline.startedAt();
        for (int i = 0; i < charts.size(); i++) {
            Chart c = charts.get(i);
            h.append("<h2>").append(esc(c.title())).append("</h2>\n");
            XYChart chart = chart(c.title(), c.yTitle());
            double top = 0;
            for (Series s : c.series()) {
                chart.addSeries(s.name(), s.seconds(), s.values()).setMarker(SeriesMarkers.NONE);
                for (double v : s.values()) {
                    top = Double.isNaN(v) ? top : Math.max(top, v);
                }
            }
            img(h, c.title() + " chart", "chart" + (i + 1), chart, events, start, top);
        }
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder()
                .width(CHART_WIDTH)
                .height(CHART_HEIGHT)
                .title(title)
                .xAxisTitle("seconds since start")
                .yAxisTitle(yTitle)
                .build();
        Styler s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.InsideNW);
        s.setChartBackgroundColor(Color.WHITE);
        s.setAnnotationLineColor(new Color(200, 40, 40));
        s.setAnnotationLineStroke(
                new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        s.setAnnotationTextFontColor(new Color(160, 20, 20));
        chart.getStyler().setMarkerSize(3);
        return chart;
    }

    private static void addSeries(
            XYChart chart,
            String name,
            List<Timeline.Sample> samples,
            Instant start,
            ToDoubleFunction<Timeline.Sample> y) {
        double[] xs = new double[samples.size()];
        double[] ys = new double[samples.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = seconds(start, samples.get(i).at());
            ys[i] = y.applyAsDouble(samples.get(i));
        }
        XYSeries series = chart.addSeries(name, xs, ys);
        series.setMarker(SeriesMarkers.NONE);
    }

    /** Draws the events (vertical lines with labels, staggered so neighbours stay readable) and inlines the PNG. */
    private static void img(
            StringBuilder h,
            String alt,
            String id,
            XYChart chart,
            List<Timeline.Event> events,
            Instant start,
            double dataMax) {
        double top = dataMax > 0 ? dataMax * 1.25 : 1;
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(top);
        double xMin = 0;
        double xMax = 0;
        for (XYSeries s : chart.getSeriesMap().values()) {
            xMin = Math.min(xMin, s.getXMin());
            xMax = Math.max(xMax, s.getXMax());
        }
        for (Timeline.Event e : events) {
            xMin = Math.min(xMin, seconds(start, e.at()));
            xMax = Math.max(xMax, seconds(start, e.at()));
        }
        xMax = Math.max(xMin + 1.0, xMax);
        chart.getStyler().setXAxisMin(xMin);
        chart.getStyler().setXAxisMax(xMax);
        // labels are drawn centred on their x: shift each right by half its (estimated) width, so it starts at its line
        double secondsPerPixel = (xMax - xMin) / (CHART_WIDTH - 120.0);
        for (int i = 0; i < events.size(); i++) {
            String label = events.get(i).label();
            double x = seconds(start, events.get(i).at());
            chart.addAnnotation(new AnnotationLine(x, true, false));
            chart.addAnnotation(new AnnotationText(
                    label, x + (label.length() * 7 / 2.0 + 4) * secondsPerPixel, top * (0.96 - 0.06 * (i % 3)), false));
        }
        byte[] png;
        try {
            png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the " + alt, e);
        }
        h.append("<img id=\"")
                .append(id)
                .append("\" alt=\"")
                .append(esc(alt))
                .append("\" width=\"")
                .append(CHART_WIDTH)
                .append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png))
                .append("\">\n");
    }

    private static void appendTables(StringBuilder h, Timeline t) {
        Instant start = t.startedAt();
        h.append("<h2>Events</h2>\n");
        List<Timeline.Event> events = t.events();
        if (events.isEmpty()) {
            h.append("<p>none</p>\n");
        } else {
            h.append("<table class=\"events\">\n<tr><th>time (UTC)</th><th>s since start</th><th>event</th></tr>\n");
            for (Timeline.Event e : events) {
                h.append("<tr><td>")
                        .append(TIME.format(e.at()))
                        .append("</td><td class=\"v\">")
                        .append(String.format("%.1f", seconds(start, e.at())))
                        .append("</td><td>")
                        .append(esc(e.label()))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        List<Timeline.Sample> samples = t.samples();
        h.append("<details><summary>Samples (")
                .append(samples.size())
                .append(")</summary>\n<table class=\"samples\">\n")
                .append("<tr><th>time (UTC)</th><th>s</th><th>produced/s</th><th>consumed/s</th><th>lag ms</th>"
                        + "<th>active region</th></tr>\n");
        for (Timeline.Sample s : samples) {
            h.append("<tr><td>")
                    .append(TIME.format(s.at()))
                    .append("</td><td class=\"v\">")
                    .append(String.format("%.1f", seconds(start, s.at())))
                    .append("</td><td class=\"v\">")
                    .append(String.format("%.0f", s.producedPerSecond()))
                    .append("</td><td class=\"v\">")
                    .append(String.format("%.0f", s.consumedPerSecond()))
                    .append("</td><td class=\"v\">")
                    .append(s.lagMillis() == null ? "" : s.lagMillis())
                    .append("</td><td>")
                    .append(s.activeRegion() == null ? "" : esc(s.activeRegion()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n</details>\n");
    }

    private static double max(List<Timeline.Sample> samples, ToDoubleFunction<Timeline.Sample> f) {
        return samples.stream().mapToDouble(f).max().orElse(0);
    }

    private static double seconds(Instant start, Instant at) {
        return Duration.between(start, at).toMillis() / 1000.0;
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
