// SPDX-License-Identifier: MIT OR Apache-2.0
//! "Did you mean ...?" for misspelt syscalls, groups, presets, fields and architectures.

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let len = word.chars().count();
    let limit = (len / 3).max(1) + 1;
    candidates
        .into_iter()
        // The distance is at least the difference in length: a word much longer than every
        // candidate (a 1 MB name) costs one length comparison per candidate, not a table.
        .filter(|c| len.abs_diff(c.chars().count()) <= limit)
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// Damerau-Levenshtein (optimal string alignment) distance: swaps count as one edit, so
/// `exceve` is one step from `execve`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_and_ignores_strangers() {
        assert_eq!(
            nearest("exceve", ["execve", "execveat", "exit"]),
            Some("execve")
        );
        assert_eq!(
            nearest("defualt_action", ["default_action", "rules"]),
            Some("default_action")
        );
        assert_eq!(nearest("zzzzzz", ["execve", "read"]), None);
    }

    #[test]
    fn a_huge_word_is_compared_by_length_only() {
        let huge = "a".repeat(1 << 20);
        let start = std::time::Instant::now();
        assert_eq!(nearest(&huge, ["execve", "read"]), None);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
