package io.kinesisha.common.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A parsed Kinesis stream ARN. The ARN is the one identifier that pins partition, region, account and name
 * together, so the config checks the separate region and account settings against it rather than trusting either.
 */
public final class StreamArn {
    /** The partitions a Kinesis stream can live in. */
    public static final List<String> PARTITIONS = List.of("aws", "aws-cn", "aws-us-gov");

    static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov)?-[a-z]+-\\d");
    static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
    static final String SHAPE = "arn:<partition>:kinesis:<region>:<12-digit account>:stream/<name>";

    private static final String STREAM_PREFIX = "stream/";

    private final String partition;
    private final String region;
    private final String account;
    private final String streamName;

    private StreamArn(String partition, String region, String account, String streamName) {
        this.partition = partition;
        this.region = region;
        this.account = account;
        this.streamName = streamName;
    }

    /**
     * Parses {@code arn:<partition>:kinesis:<region>:<account>:stream/<name>}.
     *
     * @throws IllegalArgumentException naming the first part that is wrong
     */
    public static StreamArn parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.split(":", -1);
        if (!parts[0].equals("arn")) {
            throw new IllegalArgumentException("does not start with arn:");
        }
        if (parts.length != 6) {
            throw new IllegalArgumentException("has " + parts.length + " colon-separated parts instead of 6");
        }
        String partition = parts[1];
        if (!PARTITIONS.contains(partition)) {
            throw new IllegalArgumentException(
                    "partition '" + partition + "' is not one of " + String.join(", ", PARTITIONS));
        }
        if (!parts[2].equals("kinesis")) {
            throw new IllegalArgumentException("service '" + parts[2] + "' is not kinesis");
        }
        if (!REGION.matcher(parts[3]).matches()) {
            throw new IllegalArgumentException("region '" + parts[3] + "' is not an AWS region like us-east-1");
        }
        if (!ACCOUNT.matcher(parts[4]).matches()) {
            throw new IllegalArgumentException("account '" + parts[4] + "' is not a 12-digit account id");
        }
        String resource = parts[5];
        if (!resource.startsWith(STREAM_PREFIX)) {
            throw new IllegalArgumentException("resource '" + resource + "' does not start with stream/");
        }
        String name = resource.substring(STREAM_PREFIX.length());
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("stream name '" + name + "' must be 1 to 128 of a-z A-Z 0-9 _ . -");
        }
        return new StreamArn(partition, parts[3], parts[4], name);
    }

    public String partition() {
        return partition;
    }

    public String region() {
        return region;
    }

    public String account() {
        return account;
    }

    public String streamName() {
        return streamName;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof StreamArn)) {
            return false;
        }
        return toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** The ARN itself. */
    @Override
    public String toString() {
        return "arn:" + partition + ":kinesis:" + region + ":" + account + ":" + STREAM_PREFIX + streamName;
    }
}
