// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Precompiled filters: round trip, and the shared malformed inputs in tests/fixtures/compiled. */
class CompiledTest {
    @Test
    void roundTripKeepsTheProgram() {
        try (Filter f = Sysfence.compile("{\"default_action\": \"allow\", \"extends\": [\"no-exec\"]}");
                Filter g = Filter.fromBytes(f.toBytes())) {
            assertArrayEquals(f.bpf(), g.bpf());
            assertEquals("errno:EACCES", g.simulate("execve").action());
        }
    }

    @Test
    void sharedMalformedInputsAreRefused() throws Exception {
        Path dir = Support.root().resolve("tests/fixtures/compiled");
        Map<?, ?> cases = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("expected.json")));
        assertTrue(cases.size() >= 15);
        for (Map.Entry<?, ?> e : cases.entrySet()) {
            String name = (String) e.getKey();
            Map<?, ?> c = (Map<?, ?>) e.getValue();
            byte[] data = Files.readAllBytes(dir.resolve(name));
            InvalidArgumentException ex = assertThrows(InvalidArgumentException.class,
                    () -> ("sfb".equals(c.get("kind")) ? Filter.fromBytes(data) : Filter.fromRawBpf(data, null, 1))
                            .close(),
                    name);
            assertTrue(ex.getMessage().contains((String) c.get("error")), name + ": " + ex.getMessage());
        }
    }
}
