package io.kinesisha.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A PutRecords endpoint (WireMock, which speaks the HTTP/2 the SDK's Kinesis client uses) that accepts every entry
 * at once, so a CPU measurement sees the replicator and not the emulator. It parses only what it must (the number
 * of entries); its Jetty threads ({@value #THREAD_PREFIX}...) can be left out of the replicator's CPU. Not a
 * Kinesis: other calls get a 404.
 */
final class FastKinesisTarget implements AutoCloseable {
    /** Jetty's pool threads, WireMock's and DynamoDB Local's alike. */
    static final String THREAD_PREFIX = "qtp";
    private static final JsonFactory JSON = new JsonFactory();

    private final WireMockServer server;
    private final AtomicLong sequence = new AtomicLong(49_600_000_000_000_000L);
    private final AtomicLong recordsAccepted = new AtomicLong();

    FastKinesisTarget() {
        server = new WireMockServer(wireMockConfig().dynamicPort().containerThreads(16).disableRequestJournal()
                .asynchronousResponseEnabled(false).extensions(new AcceptAll()));
        server.start();
        server.stubFor(any(anyUrl()).withHeader("X-Amz-Target", containing("PutRecords"))
                .willReturn(aResponse().withTransformers(AcceptAll.NAME)));
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    long recordsAccepted() {
        return recordsAccepted.get();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** Answers a PutRecords with one success per entry. */
    private final class AcceptAll implements ResponseDefinitionTransformerV2 {
        static final String NAME = "accept-all";

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            int entries = countEntries(event.getRequest().getBody());
            StringBuilder out = new StringBuilder(64 + entries * 96).append("{\"FailedRecordCount\":0,\"Records\":[");
            long first = sequence.getAndAdd(entries);
            for (int i = 0; i < entries; i++) {
                out.append(i == 0 ? "" : ",").append("{\"SequenceNumber\":\"").append(first + i)
                        .append("\",\"ShardId\":\"shardId-000000000000\"}");
            }
            recordsAccepted.addAndGet(entries);
            return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(out.append("]}").toString()).build();
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
    private static int countEntries(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
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
