package io.kinesisha.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** The {@code --output} option every command shares. In JSON mode stdout carries only the JSON document. */
public final class OutputOptions {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(
            names = {"-o", "--output"},
            paramLabel = "text|json",
            defaultValue = "text",
            description = "Output format: text (default) or json (one JSON document on stdout).")
    OutputFormat format = OutputFormat.TEXT;

    public boolean json() {
        return format == OutputFormat.JSON;
    }

    /** Prints {@code value} as JSON. */
    public void printJson(PrintWriter out, Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON output", e);
        }
    }

    public static ObjectMapper mapper() {
        return JSON;
    }
}
