package io.kinesisha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.kinesisha.common.config.ConfigKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Runs the runbooks in {@code runbooks/} so they cannot rot. The convention (also in runbooks/README.md):
 *
 * <ul>
 *   <li>{@code ```bash} blocks are executed in order, one bash process per runbook ({@code set -Eeuo pipefail}), in a
 *       scratch directory where {@code ./kinesis-ha} is the checkout's launcher, with {@code $CONFIG} naming a local
 *       pair. A failing command (or a failing {@code jq -e} check) fails the test and names the block.</li>
 *   <li>Runbooks of a {@link #GROUPS group} share one local environment: README.md's {@code ```bash setup} block
 *       (local up, replicator in the background, wait for the control record) runs before them, its
 *       {@code ```bash teardown} block after them (also when one failed). A runbook that changes the pair's state
 *       comes last in its group.</li>
 *   <li>{@code ```bash aws} blocks need AWS and are checked statically: {@code aws} commands and options against the
 *       AWS API model (resources/runbooks/aws-cli-model.txt), resource and stack names against the CDK app's sources,
 *       {@code npx cdk -c} keys against its context keys and the config keys.</li>
 *   <li>Every {@code ./kinesis-ha} invocation in any block, also inside {@code $(...)} and {@code bash -c '...'}, is
 *       checked against the CLI's picocli model: subcommands and options must exist.</li>
 * </ul>
 */
class RunbookIT {

    /** Runbooks sharing one local environment, in order; state-changing runbooks last. */
    static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

    static {
        GROUPS.put(
                "steady",
                List.of(
                        "status-and-dashboards.md",
                        "pause-automation.md",
                        "replicator-upgrade.md",
                        "deploy.md",
                        "drill.md",
                        "switchover.md",
                        "failback.md"));
        GROUPS.put("manual", List.of("manual-failover.md", "orphans.md"));
        GROUPS.put("automatic", List.of("automatic-failover.md"));
    }

    /**
     * The launcher gives its quick commands (status, audit, ...) these options by itself; the runbooks' other commands
     * (replicate, failback, verify, local) get them too, to spare the test machine's CPU.
     */
    static final String JAVA_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    static final Path ROOT = Paths.get(System.getProperty("kinesisha.root", ".."))
            .toAbsolutePath()
            .normalize();
    static final Path RUNBOOKS = ROOT.resolve("runbooks");
    static final Path WORK = ROOT.resolve("cli/target/runbook-it").toAbsolutePath();

    enum Kind {
        RUN,
        AWS,
        SETUP,
        TEARDOWN,
        OTHER
    }

    record Block(String file, int line, Kind kind, String text) {
        String where() {
            return "runbooks/" + file + ":" + line;
        }
    }

    // ---------------------------------------------------------------- structure

    @Test
    void everyRunbookIsIndexedAndRunInExactlyOneGroup() throws IOException {
        Set<String> files;
        try (Stream<Path> list = Files.list(RUNBOOKS)) {
            files = list.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".md") && !n.equals("README.md"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        List<String> grouped = GROUPS.values().stream().flatMap(List::stream).toList();
        assertThat(grouped)
                .as("every runbook in exactly one group")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(files);
        String index = Files.readString(RUNBOOKS.resolve("README.md"));
        for (String f : files) {
            assertThat(index).as("runbooks/README.md links " + f).contains("](" + f + ")");
        }
        List<Block> readme = blocks("README.md");
        assertThat(readme.stream().filter(b -> b.kind() == Kind.SETUP)).hasSize(1);
        assertThat(readme.stream().filter(b -> b.kind() == Kind.TEARDOWN)).hasSize(1);
    }

    // ---------------------------------------------------------------- static checks

    @Test
    void everyCommandInEveryBlockExists() throws IOException {
        List<String> problems = new ArrayList<>();
        AwsModel aws = AwsModel.load();
        CdkSources cdk = CdkSources.load(problems);
        for (String file : allRunbookFiles()) {
            for (Block b : blocks(file)) {
                if (b.kind() == Kind.OTHER) {
                    continue;
                }
                for (List<String> command : Shell.commands(b.text())) {
                    checkCommand(b, command, aws, cdk, problems);
                }
                if (b.kind() == Kind.AWS) {
                    cdk.checkNames(b, problems);
                }
            }
        }
        assertThat(problems).as("runbook commands that do not exist").isEmpty();
    }

    // ---------------------------------------------------------------- execution

    static Stream<String> groups() {
        return GROUPS.keySet().stream();
    }

    @ParameterizedTest(name = "runbook group {0}")
    @MethodSource("groups")
    void runbooksRunAgainstTheLocalEnvironment(String group) throws Exception {
        long started = System.nanoTime();
        Path dir = WORK.resolve(group + "-" + System.currentTimeMillis());
        Path home = dir.resolve("home");
        Files.createDirectories(home);
        List<Block> readme = blocks("README.md");
        Block setup =
                readme.stream().filter(b -> b.kind() == Kind.SETUP).findFirst().orElseThrow();
        Block teardown = readme.stream()
                .filter(b -> b.kind() == Kind.TEARDOWN)
                .findFirst()
                .orElseThrow();

        StringBuilder script = new StringBuilder("set -Eeuo pipefail\n")
                .append(ERR_TRAP)
                .append("torn_down=0\n")
                .append("cleanup() {\n  if [ \"$torn_down\" = 0 ]; then\n    set +eu\n")
                .append("    echo '=== cleanup: " + teardown.where() + "' >&2\n")
                .append(teardown.text())
                .append("\n  fi\n}\ntrap cleanup EXIT\n")
                .append("cd ")
                .append(quote(scratch(dir.resolve("setup"))))
                .append('\n')
                .append(marker(setup, "setup"))
                .append(setup.text())
                .append('\n')
                .append("export REPLICATOR_PID\nstatus=0\n");
        for (String file : GROUPS.get(group)) {
            Path runbookScript = dir.resolve(file.replace(".md", ".sh"));
            Files.writeString(runbookScript, runbookScript(file, scratch(dir.resolve(file.replace(".md", "")))));
            script.append("if [ \"$status\" = 0 ]; then bash -Eeuo pipefail ")
                    .append(quote(runbookScript))
                    .append(" || status=$?; fi\n");
        }
        script.append("cd ")
                .append(quote(dir.resolve("setup")))
                .append('\n')
                .append(marker(teardown, "teardown"))
                .append(teardown.text())
                .append('\n')
                .append("torn_down=1\nexit \"$status\"\n");
        Path groupScript = dir.resolve("group.sh");
        Files.writeString(groupScript, script.toString());

        Path out = dir.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder("bash", groupScript.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().put("KINESIS_HA_HOME", home.toString());
        builder.environment().put("KINESIS_HA_SKIP_BUILD", "1");
        builder.environment().put("KINESIS_HA_JAVA_OPTS", JAVA_OPTS);
        // the groups' commands share their class-data-sharing archives, as one operator's would
        builder.environment().put("KINESIS_HA_CDS_DIR", WORK.resolve("cds").toString());
        builder.environment().remove("CONFIG");
        Process bash = builder.start();
        boolean finished;
        try {
            finished = bash.waitFor(6, TimeUnit.MINUTES);
            if (!finished) {
                bash.descendants().forEach(ProcessHandle::destroy);
                bash.destroy();
                bash.waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            Launcher.Result down = new Launcher(home).run("local", "down", "--name", "practice");
            assertThat(down.exitCode())
                    .as("local down after group %s: %s", group, down)
                    .isZero();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        System.out.printf("runbook group %s: %d s, exit %s%n", group, seconds, finished ? bash.exitValue() : "timeout");
        if (!finished || bash.exitValue() != 0) {
            fail("runbook group " + group + (finished ? " failed (exit " + bash.exitValue() + ")" : " timed out")
                    + " in " + lastMarker(output) + "; script " + groupScript + ", full output " + out + "\n"
                    + tail(output, 60));
        }
    }

    private String runbookScript(String file, Path scratch) throws IOException {
        StringBuilder s = new StringBuilder("cd ")
                .append(quote(scratch))
                .append('\n')
                .append("trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n")
                .append(ERR_TRAP);
        for (Block b : blocks(file)) {
            if (b.kind() != Kind.RUN) {
                continue;
            }
            s.append(marker(b, "run")).append(b.text()).append('\n');
        }
        return s.toString();
    }

    /** Names the block on stderr; the ERR trap names it again when one of its commands fails. */
    private static String marker(Block b, String what) {
        return "RUNBOOK_BLOCK='" + b.where() + "'\necho \"=== " + what + ": " + b.where()
                + " at $(date +%T.%3N)\" >&2\n";
    }

    private static final String ERR_TRAP =
            "RUNBOOK_BLOCK=harness\ntrap 'echo \"=== FAILED: $RUNBOOK_BLOCK (exit $?)\" >&2' ERR\n";

    /** A directory whose {@code ./kinesis-ha} runs the checkout's launcher (which finds its jars next to itself). */
    private static Path scratch(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path wrapper = dir.resolve("kinesis-ha");
        Files.writeString(wrapper, "#!/usr/bin/env bash\nexec " + quote(ROOT.resolve("kinesis-ha")) + " \"$@\"\n");
        assertThat(wrapper.toFile().setExecutable(true)).isTrue();
        return dir;
    }

    private static String quote(Path p) {
        return "'" + p.toString().replace("'", "'\\''") + "'";
    }

    /** The first block that failed (ERR trap), else the last one started. */
    private static String lastMarker(String output) {
        String last = "setup";
        for (String line : output.split("\n")) {
            if (line.startsWith("=== FAILED: ")) {
                return line.substring(4);
            }
            if (line.startsWith("=== ")) {
                last = line.substring(4);
            }
        }
        return last;
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    // ---------------------------------------------------------------- command checks

    private static void checkCommand(Block b, List<String> words, AwsModel aws, CdkSources cdk, List<String> problems) {
        int i = 0;
        while (i < words.size()
                && (words.get(i).matches("[A-Za-z_][A-Za-z0-9_]*=.*")
                        || Set.of("until", "while", "do", "then", "if", "!", "else", "exec", "nohup")
                                .contains(words.get(i)))) {
            i++;
        }
        if (i < words.size() && words.get(i).equals("timeout")) {
            i++;
            while (i < words.size()
                    && (words.get(i).startsWith("-") || words.get(i).matches("\\d+[smhd]?"))) {
                i++;
            }
        }
        if (i >= words.size()) {
            return;
        }
        List<String> rest = words.subList(i + 1, words.size());
        switch (words.get(i)) {
            case "./kinesis-ha" -> checkKinesisHa(b, rest, problems);
            case "bash" -> {
                int c = rest.indexOf("-c");
                if (c >= 0 && c + 1 < rest.size()) {
                    for (List<String> inner : Shell.commands(rest.get(c + 1))) {
                        checkCommand(b, inner, aws, cdk, problems);
                    }
                }
            }
            case "aws" -> {
                if (aws != null) {
                    if (b.kind() != Kind.AWS) {
                        problems.add(b.where() + ": aws CLI in a block fenced 'bash' (fence it 'bash aws')");
                    }
                    aws.check(b, rest, problems);
                }
            }
            case "npx" -> {
                if (cdk != null && !rest.isEmpty() && rest.get(0).equals("cdk")) {
                    if (b.kind() != Kind.AWS) {
                        problems.add(b.where() + ": npx cdk in a block fenced 'bash' (fence it 'bash aws')");
                    }
                    cdk.checkCdk(b, rest.subList(1, rest.size()), problems);
                }
            }
            case "cd" -> {
                if (cdk != null
                        && !rest.isEmpty()
                        && b.kind() == Kind.AWS
                        && !Files.isDirectory(ROOT.resolve(rest.get(0)))) {
                    problems.add(b.where() + ": cd " + rest.get(0) + ": no such directory in the repository");
                }
            }
            default -> {
                // other tools (jq, kill, wait, mvn, ...) are not checked here; bash blocks run them
            }
        }
    }

    private static void checkKinesisHa(Block b, List<String> args, List<String> problems) {
        CommandSpec spec = KinesisHa.commandLine().getCommandSpec();
        String path = "";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-")) {
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                OptionSpec option = spec.findOption(name);
                if (option == null) {
                    problems.add(b.where() + ": no such option " + name + " of './kinesis-ha" + path + "'");
                } else if (option.arity().max() > 0 && !a.contains("=")) {
                    i++;
                }
            } else if (spec.subcommands().containsKey(a)) {
                spec = spec.subcommands().get(a).getCommandSpec();
                path = path + " " + a;
            } else if (spec.positionalParameters().isEmpty()) {
                problems.add(b.where() + ": no such '" + a + "' after './kinesis-ha" + path + "'");
                return;
            }
        }
    }

    // ---------------------------------------------------------------- markdown

    static List<String> allRunbookFiles() throws IOException {
        try (Stream<Path> list = Files.list(RUNBOOKS)) {
            return list.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".md"))
                    .sorted()
                    .toList();
        }
    }

    static List<Block> blocks(String file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(RUNBOOKS.resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.matches("\\s+```.*")) {
                fail("runbooks/" + file + ":" + (i + 1) + ": indented code fence; RunbookIT only reads fences at the "
                        + "start of a line (so no block escapes the test)");
            }
            if (!line.startsWith("```")) {
                continue;
            }
            String info = line.substring(3).trim();
            int start = i + 1;
            StringBuilder text = new StringBuilder();
            for (i = i + 1; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                text.append(lines.get(i)).append('\n');
            }
            assertThat(i).as("runbooks/%s:%d: unclosed code fence", file, start).isLessThan(lines.size());
            blocks.add(new Block(file, start, kind(file, start, info), text.toString()));
        }
        return blocks;
    }

    private static Kind kind(String file, int line, String info) {
        String where = "runbooks/" + file + ":" + line + ": ";
        switch (info) {
            case "bash":
                return Kind.RUN;
            case "bash aws":
                return Kind.AWS;
            case "bash setup":
            case "bash teardown":
                assertThat(file)
                        .as(where + "'" + info + "' blocks belong in README.md")
                        .isEqualTo("README.md");
                return info.endsWith("setup") ? Kind.SETUP : Kind.TEARDOWN;
            default:
                if (info.startsWith("bash") || info.equals("sh") || info.equals("shell") || info.equals("console")) {
                    fail(where + "unknown fence '" + info
                            + "': use bash, 'bash aws' (README: 'bash setup', 'bash teardown')");
                }
                return Kind.OTHER;
        }
    }

    // ---------------------------------------------------------------- shell words

    /** Just enough of the shell grammar to find the commands in a block: words, quotes, $(...), separators. */
    static final class Shell {
        static List<List<String>> commands(String script) {
            List<List<String>> out = new ArrayList<>();
            String s = script.replace("\\\n", " ");
            List<String> words = new ArrayList<>();
            StringBuilder word = null;
            boolean redirectTarget = false;
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\'') {
                    int end = s.indexOf('\'', i + 1);
                    word = append(word, s.substring(i + 1, end < 0 ? s.length() : end));
                    i = end < 0 ? s.length() : end + 1;
                } else if (c == '"') {
                    StringBuilder b = new StringBuilder();
                    int j = i + 1;
                    while (j < s.length() && s.charAt(j) != '"') {
                        if (s.startsWith("$(", j)) {
                            int end = closing(s, j + 1);
                            out.addAll(commands(s.substring(j + 2, end)));
                            b.append("$(...)");
                            j = end + 1;
                        } else if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                            b.append(s.charAt(j + 1));
                            j += 2;
                        } else {
                            b.append(s.charAt(j++));
                        }
                    }
                    word = append(word, b.toString());
                    i = j + 1;
                } else if (s.startsWith("$(", i)) {
                    int end = closing(s, i + 1);
                    out.addAll(commands(s.substring(i + 2, end)));
                    word = append(word, "$(...)");
                    i = end + 1;
                } else if (c == '#' && word == null) {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else if (c == '\\' && i + 1 < s.length()) {
                    word = append(word, String.valueOf(s.charAt(i + 1)));
                    i += 2;
                } else if (c == '>' || c == '<') {
                    if (word != null && word.toString().matches("\\d+")) {
                        word = null;
                    }
                    redirectTarget = endWord(words, word, redirectTarget);
                    word = null;
                    i++;
                    while (i < s.length() && (s.charAt(i) == '>' || s.charAt(i) == '&')) {
                        i++;
                    }
                    redirectTarget = true;
                } else if (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '|' || c == '&' || c == '('
                        || c == ')') {
                    redirectTarget = endWord(words, word, redirectTarget);
                    word = null;
                    if (c != ' ' && c != '\t') {
                        if (!words.isEmpty()) {
                            out.add(List.copyOf(words));
                        }
                        words.clear();
                    }
                    i++;
                } else {
                    word = append(word, String.valueOf(c));
                    i++;
                }
            }
            endWord(words, word, redirectTarget);
            if (!words.isEmpty()) {
                out.add(List.copyOf(words));
            }
            return out;
        }

        private static boolean endWord(List<String> words, StringBuilder word, boolean redirectTarget) {
            if (word == null) {
                return redirectTarget;
            }
            if (!redirectTarget) {
                words.add(word.toString());
            }
            return false;
        }

        private static StringBuilder append(StringBuilder word, String text) {
            return (word == null ? new StringBuilder() : word).append(text);
        }

        /** Index of the ')' closing the '(' at {@code open}. */
        private static int closing(String s, int open) {
            int depth = 0;
            for (int i = open; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\'') {
                    i = s.indexOf('\'', i + 1);
                    if (i < 0) {
                        break;
                    }
                } else if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    return i;
                }
            }
            throw new IllegalArgumentException("unbalanced $( in: " + s);
        }
    }

    // ---------------------------------------------------------------- AWS CLI model

    /** The aws CLI's services, commands and options, generated from botocore (see the resource's first line). */
    static final class AwsModel {
        static final Set<String> GLOBAL = Set.of(
                "--region",
                "--output",
                "--query",
                "--profile",
                "--endpoint-url",
                "--no-cli-pager",
                "--cli-input-json",
                "--cli-input-yaml",
                "--generate-cli-skeleton",
                "--max-items",
                "--starting-token",
                "--page-size",
                "--no-paginate",
                "--debug",
                "--no-verify-ssl",
                "--cli-binary-format",
                "--color",
                "--no-sign-request",
                "--ca-bundle",
                "--cli-read-timeout",
                "--cli-connect-timeout");

        final Map<String, Map<String, Set<String>>> services = new HashMap<>();

        static AwsModel load() throws IOException {
            AwsModel m = new AwsModel();
            try (var in = RunbookIT.class.getResourceAsStream("/runbooks/aws-cli-model.txt")) {
                assertThat(in).as("aws-cli-model.txt on the test classpath").isNotNull();
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] parts = line.trim().split(" ");
                    m.services
                            .computeIfAbsent(parts[0], k -> new HashMap<>())
                            .put(
                                    parts[1],
                                    java.util.Arrays.stream(parts)
                                            .filter(p -> p.startsWith("--"))
                                            .collect(Collectors.toSet()));
                }
            }
            return m;
        }

        void check(Block b, List<String> args, List<String> problems) {
            if (args.size() < 2) {
                problems.add(b.where() + ": aws needs a service and a command: " + args);
                return;
            }
            Map<String, Set<String>> commands = services.get(args.get(0));
            if (commands == null) {
                problems.add(b.where() + ": aws " + args.get(0) + ": service not in aws-cli-model.txt (add it to "
                        + "cli/src/test/scripts/aws_cli_model.py and regenerate)");
                return;
            }
            Set<String> options = commands.get(args.get(1));
            if (options == null) {
                problems.add(b.where() + ": aws " + args.get(0) + " " + args.get(1) + ": no such command");
                return;
            }
            String region = null;
            for (int i = 2; i < args.size(); i++) {
                String a = args.get(i);
                if (!a.startsWith("--")) {
                    continue;
                }
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (!options.contains(name) && !GLOBAL.contains(name)) {
                    problems.add(b.where() + ": aws " + args.get(0) + " " + args.get(1) + ": no option " + name);
                }
                if (name.equals("--region") && i + 1 < args.size()) {
                    region = args.get(i + 1);
                }
            }
            // the CDK app's default regions: forward replicator in the secondary, reverse in the primary
            String joined = String.join(" ", args);
            if (region != null
                    && joined.contains("kinesis-ha-orders-forward")
                    && !joined.contains("kinesis-ha-orders-reverse")
                    && args.get(0).equals("kinesisanalyticsv2")
                    && !region.equals("us-east-2")) {
                problems.add(b.where() + ": kinesis-ha-orders-forward runs in the secondary region us-east-2, not "
                        + region);
            }
            if (region != null
                    && joined.contains("kinesis-ha-orders-reverse")
                    && args.get(0).equals("kinesisanalyticsv2")
                    && !region.equals("us-west-2")) {
                problems.add(
                        b.where() + ": kinesis-ha-orders-reverse runs in the primary region us-west-2, not " + region);
            }
        }
    }

    // ---------------------------------------------------------------- CDK app

    /** Names and context keys as the CDK app's sources define them (default pair "orders"). */
    static final class CdkSources {
        static final Path SRC = ROOT.resolve("infra-cdk/src/main/java/io/kinesisha/infra");
        /** Suffix of kinesis-ha-orders-... and the source literal that makes it. */
        static final Map<Pattern, String[]> NAMES = new LinkedHashMap<>();

        static {
            NAMES.put(Pattern.compile(""), new String[] {"Names.java", "\"kinesis-ha-\" + s.pairName()"});
            NAMES.put(Pattern.compile("forward"), new String[] {"Names.java", "\"-forward\""});
            NAMES.put(Pattern.compile("reverse"), new String[] {"Names.java", "\"-reverse\""});
            NAMES.put(Pattern.compile("controller"), new String[] {"Names.java", "\"-controller\""});
            NAMES.put(Pattern.compile("control"), new String[] {"KinesisHaApp.java", "prefix + \"-control\""});
            NAMES.put(Pattern.compile("primary"), new String[] {"KinesisHaApp.java", "prefix + \"-primary\""});
            NAMES.put(Pattern.compile("secondary"), new String[] {"KinesisHaApp.java", "prefix + \"-secondary\""});
            NAMES.put(
                    Pattern.compile("us-west-2|us-east-2"), new String[] {"Names.java", "prefix(s) + \"-\" + region"});
            NAMES.put(
                    Pattern.compile("(error-rate|iterator-age)-orders"),
                    new String[] {"constructs/HealthAlarms.java", "\"error-rate-\" + streamName"});
            NAMES.put(
                    Pattern.compile("(replication-lag|downtime|restarts)-kinesis-ha-orders-(forward|reverse)"),
                    new String[] {"constructs/HealthAlarms.java", "\"replication-lag-\" + application"});
        }

        static final Pattern NAME = Pattern.compile("kinesis-ha-orders(-[a-z0-9-]*)?");
        static final Set<String> STACKS =
                Set.of("kinesis-ha-orders-control", "kinesis-ha-orders-primary", "kinesis-ha-orders-secondary");

        final Set<String> contextKeys = new TreeSet<>();

        static CdkSources load(List<String> problems) throws IOException {
            CdkSources c = new CdkSources();
            for (String[] source : NAMES.values()) {
                if (!Files.readString(SRC.resolve(source[0])).contains(source[1])) {
                    problems.add("infra-cdk " + source[0] + " no longer contains " + source[1]
                            + ": update RunbookIT.CdkSources.NAMES and the runbooks' names");
                }
            }
            Matcher m =
                    Pattern.compile("\\(\"([A-Za-z]+)\",").matcher(Files.readString(SRC.resolve("ContextKey.java")));
            while (m.find()) {
                c.contextKeys.add(m.group(1));
            }
            assertThat(c.contextKeys)
                    .as("context keys read from ContextKey.java")
                    .contains("account", "pair");
            return c;
        }

        void checkNames(Block b, List<String> problems) {
            Matcher m = NAME.matcher(b.text());
            while (m.find()) {
                String suffix = m.group(1) == null ? "" : m.group(1).substring(1);
                if (NAMES.keySet().stream().noneMatch(p -> p.matcher(suffix).matches())) {
                    problems.add(b.where() + ": " + m.group() + " is not a name the CDK app creates");
                }
            }
        }

        void checkCdk(Block b, List<String> args, List<String> problems) {
            if (args.isEmpty()
                    || !Set.of("bootstrap", "synth", "deploy", "destroy", "diff", "list", "ls")
                            .contains(args.get(0))) {
                problems.add(b.where() + ": npx cdk " + args + ": unknown cdk command");
                return;
            }
            for (int i = 1; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("-c") || a.equals("--context")) {
                    String key = i + 1 < args.size() ? args.get(++i).split("=", 2)[0] : "";
                    if (!contextKeys.contains(key) && ConfigKey.fromKey(key).isEmpty()) {
                        problems.add(b.where() + ": -c " + key + ": neither a ContextKey nor a config key");
                    }
                } else if (a.equals("--require-approval")) {
                    String v = i + 1 < args.size() ? args.get(++i) : "";
                    if (!Set.of("never", "any-change", "broadening").contains(v)) {
                        problems.add(b.where() + ": --require-approval " + v);
                    }
                } else if (!a.startsWith("-") && !a.startsWith("aws://") && !STACKS.contains(a)) {
                    problems.add(b.where() + ": npx cdk " + args.get(0) + " " + a + ": not a stack of the CDK app "
                            + STACKS);
                }
            }
        }
    }
}
