package io.kinesisha.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StreamArnTest {

    @Test
    void parsesEveryPart() {
        StreamArn arn = StreamArn.parse("arn:aws-us-gov:kinesis:us-gov-west-1:123456789012:stream/a.b_c-1");

        assertThat(arn.partition()).isEqualTo("aws-us-gov");
        assertThat(arn.region()).isEqualTo("us-gov-west-1");
        assertThat(arn.account()).isEqualTo("123456789012");
        assertThat(arn.streamName()).isEqualTo("a.b_c-1");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
                "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/o",
                "arn:aws:kinesis:ap-southeast-2:000000000000:stream/ORDERS.v2"
            })
    void printsTheArnItParsed(String text) {
        assertThat(StreamArn.parse(text)).hasToString(text).isEqualTo(StreamArn.parse(text));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''                                                            | does not start with arn:",
                "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/c:1 | has 7 colon-separated parts",
                "arn:aws:kinesis:us-east-1:123456789012:stream/                | stream name '' must be 1 to 128",
                "arn:aws:kinesis:us-east-1:123456789012:stream/a/b             | stream name 'a/b'",
                "arn:aws:kinesis:us-east-1:123456789012:orders                 | resource 'orders' does not start with stream/",
                "arn:aws:kinesis:us-east-1:12345678901a:stream/orders          | account '12345678901a'",
                "arn:aws:kinesis:us-east-10:123456789012:stream/orders         | region 'us-east-10'",
                "arn:AWS:kinesis:us-east-1:123456789012:stream/orders          | partition 'AWS'",
                "ARN:aws:kinesis:us-east-1:123456789012:stream/orders          | does not start with arn:"
            })
    void rejectsMalformedArns(String text, String reason) {
        assertThatThrownBy(() -> StreamArn.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }
}
