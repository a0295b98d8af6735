package io.kinesisha.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The optional producer/consumer function lists: well-formed lists load, anything else names the key. */
class LambdaFunctionKeysTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "producers.lambda-functions|arn:aws:lambda:us-west-2:111111111111:function:producer",
                "producers.lambda-functions|arn:aws:lambda:us-west-2:111111111111:function:a,arn:aws:lambda:us-east-2:111111111111:function:b",
                "consumers.lambda-functions|orders-consumer",
                "consumers.lambda-functions|orders-consumer,orders_audit"
            })
    void wellFormedListsLoad(String key, String value) {
        Map<String, String> map = ConfigFixtures.full();
        map.put(key, value);
        assertThat(ReplicationPairConfig.fromMap(map)
                        .value(ConfigKey.fromKey(key).orElseThrow()))
                .contains(value);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "producers.lambda-functions|producer-name-not-arn",
                "producers.lambda-functions|arn:aws:lambda:us-west-2:1111:function:producer",
                "producers.lambda-functions|arn:aws:lambda:us-west-2:111111111111:function:a,,arn:aws:lambda:us-west-2:111111111111:function:b",
                "consumers.lambda-functions|orders consumer",
                "consumers.lambda-functions|orders-consumer,",
                "consumers.lambda-functions|arn:aws:lambda:us-west-2:111111111111:function:consumer"
            })
    void malformedListsNameTheKey(String key, String value) {
        Map<String, String> map = ConfigFixtures.full();
        map.put(key, value);
        assertThatThrownBy(() -> ReplicationPairConfig.fromMap(map))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key);
    }
}
