package io.kinesisha.common.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns nested YAML mappings into dotted keys ({@code primary: {stream-arn: x}} becomes {@code primary.stream-arn}),
 * keeping each scalar's text exactly as written so the binder, not YAML's type guessing, decides what it means.
 */
final class YamlFlattener {
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();

    private YamlFlattener() {}

    /**
     * Flattens {@code yaml}; structural problems (a list or null where a value belongs) go to {@code errors}.
     *
     * @param source names the document in errors about the document as a whole
     * @throws IOException on YAML syntax errors (a {@link com.fasterxml.jackson.core.JsonProcessingException}
     *     with the location)
     */
    static Map<String, String> flatten(String source, String yaml, List<ConfigError> errors) throws IOException {
        Map<String, String> flat = new LinkedHashMap<>();
        try (JsonParser parser = FACTORY.createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return flat;
            }
            if (first != JsonToken.START_OBJECT) {
                errors.add(new ConfigError(
                        source,
                        "must be a mapping of configuration keys (like pair.name: orders), not " + describe(first)));
                return flat;
            }
            readMapping(parser, "", flat, errors);
        }
        return flat;
    }

    private static void readMapping(
            JsonParser parser, String prefix, Map<String, String> flat, List<ConfigError> errors) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = prefix + parser.currentName();
            JsonToken token = parser.nextToken();
            if (token == JsonToken.START_OBJECT) {
                readMapping(parser, key + ".", flat, errors);
            } else if (token == JsonToken.START_ARRAY) {
                errors.add(new ConfigError(key, "must be a single value, not a list"));
                parser.skipChildren();
            } else if (token == JsonToken.VALUE_NULL) {
                errors.add(new ConfigError(key, "has no value (give one or remove the key)"));
            } else if (flat.put(key, parser.getText()) != null) {
                errors.add(new ConfigError(key, "is given twice (once nested, once dotted)"));
            }
        }
    }

    private static String describe(JsonToken token) {
        return token == JsonToken.START_ARRAY ? "a list" : "a single value";
    }
}
