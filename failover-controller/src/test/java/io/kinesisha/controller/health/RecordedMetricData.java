package io.kinesisha.controller.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * GetMetricData answers as CloudWatch sends them to SDK 2.51.3 (Smithy RPC v2 CBOR, timestamps as CBOR tag 1 epoch
 * seconds), from readable fixtures in {@code src/test/resources/cloudwatch}: the output shape with ISO timestamps
 * and a {@code _comment} that is not sent.
 */
public final class RecordedMetricData {
    public static final String PATH = "/service/GraniteServiceVersion20100801/operation/GetMetricData";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordedMetricData() {}

    /** The fixture {@code name} as a 200 CBOR response. */
    public static ResponseDefinitionBuilder response(String name) {
        return ok(cbor(fixture(name)));
    }

    /** A 200 answer in RPC v2 CBOR with {@code body}. */
    public static ResponseDefinitionBuilder ok(byte[] body) {
        return WireMock.aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/cbor")
                .withHeader("smithy-protocol", "rpc-v2-cbor")
                .withBody(body);
    }

    /** CloudWatch's throttling answer in RPC v2 CBOR (the SDK retries it). */
    public static ResponseDefinitionBuilder throttled() {
        byte[] body;
        try {
            body = new com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper()
                    .writeValueAsBytes(Map.of(
                            "__type", "com.amazonaws.cloudwatch#ThrottlingException", "message", "Rate exceeded"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return WireMock.aResponse()
                .withStatus(400)
                .withHeader("Content-Type", "application/cbor")
                .withHeader("smithy-protocol", "rpc-v2-cbor")
                .withHeader("x-amzn-query-error", "Throttling;Sender")
                .withBody(body);
    }

    static JsonNode fixture(String name) {
        try (InputStream in = RecordedMetricData.class.getResourceAsStream("/cloudwatch/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture /cloudwatch/" + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GetMetricDataOutput: MetricDataResults[{Id, Label, Timestamps (tag 1), Values, StatusCode}], Messages. */
    public static byte[] cbor(JsonNode response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = new CBORFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("MetricDataResults");
            for (JsonNode r : response.get("MetricDataResults")) {
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    switch (f.getKey()) {
                        case "Timestamps" -> {
                            g.writeArrayFieldStart("Timestamps");
                            for (JsonNode t : f.getValue()) {
                                g.writeTag(1);
                                g.writeNumber((double) Instant.parse(t.asText()).getEpochSecond());
                            }
                            g.writeEndArray();
                        }
                        case "Values" -> {
                            g.writeArrayFieldStart("Values");
                            for (JsonNode v : f.getValue()) {
                                g.writeNumber(v.asDouble());
                            }
                            g.writeEndArray();
                        }
                        default -> g.writeStringField(f.getKey(), f.getValue().asText());
                    }
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("Messages");
            g.writeEndArray();
            if (response.hasNonNull("NextToken")) {
                g.writeStringField("NextToken", response.get("NextToken").asText());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
