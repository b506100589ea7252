// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sysfence.parseAuditLine over the shared audit fixtures (tests/fixtures/audit/cases.json). */
class AuditTest {
    @Test
    void everyFixtureCase() throws Exception {
        Map<?, ?> file = (Map<?, ?>) Json.parse(Files.readString(
                Support.root().resolve("tests/fixtures/audit/cases.json")));
        List<?> cases = (List<?>) file.get("cases");
        assertTrue(cases.size() >= 30);
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        for (Object o : cases) {
            Map<?, ?> c = (Map<?, ?>) o;
            String name = (String) c.get("name");
            String line = (String) c.get("line");
            if (line.indexOf('\0') >= 0) {
                // A NUL cannot cross a C string: refused before the library sees it.
                assertThrows(InvalidArgumentException.class, () -> Sysfence.parseAuditLine(line), name);
                continue;
            }
            Optional<Map<String, Object>> doc = Sysfence.parseAuditLine(line);
            if (c.get("expect") == null) {
                assertTrue(doc.isEmpty(), name);
                continue;
            }
            assertTrue(doc.isPresent(), name);
            ((Map<?, ?>) c.get("expect")).forEach((path, want) -> assertEquals(
                    "test-host".equals(want) ? host : want, dig(doc.get(), (String) path), name + ": " + path));
            if (c.get("absent") instanceof List<?> absent) {
                absent.forEach(path -> assertNull(dig(doc.get(), (String) path), name + ": " + path));
            }
        }
    }

    @Test
    void aLoneSurrogateIsAnInvalidArgument() {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> Sysfence.parseAuditLine("type=1326 \ud800"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }

    @Test
    void theDocumentIsReadOnly() {
        Map<String, Object> doc = Sysfence.parseAuditLine("audit: type=1326 audit(1603120490.865:8): auid=1000 "
                + "uid=0 gid=0 ses=3 pid=1376 comm=\"java\" exe=\"/usr/bin/java\" sig=0 arch=c000003e "
                + "syscall=59 compat=0 ip=0x7f9ad10d7497 code=0x50000").orElseThrow();
        assertEquals(1376L, dig(doc, "process.pid"));
        assertThrows(UnsupportedOperationException.class, () -> doc.put("x", 1));
    }

    static Object dig(Map<?, ?> doc, String dotted) {
        Object v = doc;
        for (String k : dotted.split("\\.")) {
            if (!(v instanceof Map<?, ?> m)) {
                return null;
            }
            v = m.get(k);
        }
        return v;
    }
}
