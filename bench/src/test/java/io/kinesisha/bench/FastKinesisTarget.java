package io.kinesisha.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A PutRecords endpoint in a process of its own (so none of its CPU, garbage or JIT work is counted as the
 * replicator's): WireMock, answering CBOR or JSON as asked, which speaks the HTTP/2 the SDK's Kinesis client uses) that accepts every entry
 * at once, so a CPU measurement sees the replicator and not the emulator. It parses only what it must (the number
 * of entries). {@link #start()} launches it with this JVM's class path and reads its port; it exits when closed or
 * when its parent's end of stdin closes. Not a Kinesis: other calls get a 404.
 */
final class FastKinesisTarget implements AutoCloseable {
    private static final String READY = "fast-target-port ";
    private static final JsonFactory JSON = new JsonFactory();
    private static final JsonFactory CBOR = new CBORFactory();

    private final Process process;
    private final int port;

    private FastKinesisTarget(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static FastKinesisTarget start() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process process = new ProcessBuilder(java, "-cp", classPath, FastKinesisTarget.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(READY)) {
                Thread drain = new Thread(
                        () -> out.lines().forEach(l -> System.out.println("[fast target] " + l)), "fast-target-output");
                drain.setDaemon(true);
                drain.start();
                return new FastKinesisTarget(
                        process, Integer.parseInt(line.substring(READY.length()).trim()));
            }
        }
        process.destroy();
        throw new IOException("the fast target exited before it listened (exit code " + waitFor(process) + ")");
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        waitFor(process);
    }

    private static int waitFor(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The child: serves until its stdin closes. */
    public static void main(String[] args) throws IOException {
        WireMockServer server = new WireMockServer(wireMockConfig()
                .dynamicPort()
                .containerThreads(16)
                .disableRequestJournal()
                .asynchronousResponseEnabled(false)
                .extensions(new AcceptAll()));
        server.start();
        server.stubFor(any(anyUrl())
                .withHeader("X-Amz-Target", containing("PutRecords"))
                .willReturn(aResponse().withTransformers(AcceptAll.NAME)));
        System.out.println(READY + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // the parent never writes; end of stream means it is gone
        }
        server.stop();
        System.exit(0);
    }

    /** Answers a PutRecords with one success per entry. */
    private static final class AcceptAll implements ResponseDefinitionTransformerV2 {
        static final String NAME = "accept-all";
        private final AtomicLong sequence = new AtomicLong(49_600_000_000_000_000L);

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            // the SDK speaks CBOR to Kinesis unless aws.cborEnabled=false; answer in the request's format
            String contentType = event.getRequest().getHeader("Content-Type");
            boolean cbor = contentType != null && contentType.contains("cbor");
            JsonFactory format = cbor ? CBOR : JSON;
            int entries = countEntries(format, event.getRequest().getBody());
            long first = sequence.getAndAdd(entries);
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 + entries * 96);
            try (JsonGenerator json = format.createGenerator(out)) {
                json.writeStartObject();
                json.writeNumberField("FailedRecordCount", 0);
                json.writeArrayFieldStart("Records");
                for (int i = 0; i < entries; i++) {
                    json.writeStartObject();
                    json.writeStringField("SequenceNumber", Long.toString(first + i));
                    json.writeStringField("ShardId", "shardId-000000000000");
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1")
                    .withBody(out.toByteArray())
                    .build();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
    }

    /** The number of objects in the top-level "Records" array. */
    private static int countEntries(JsonFactory format, byte[] body) {
        try (JsonParser parser = format.createParser(body)) {
            int count = 0;
            int depth = 0;
            boolean inRecords = false;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME && depth == 1 && "Records".equals(parser.getCurrentName())) {
                    inRecords = true;
                } else if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    if (inRecords && depth == 2 && token == JsonToken.START_OBJECT) {
                        count++;
                    }
                    depth++;
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    depth--;
                    if (depth == 1) {
                        inRecords = false;
                    }
                }
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
