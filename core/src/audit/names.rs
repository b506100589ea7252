// SPDX-License-Identifier: MIT OR Apache-2.0
//! User and group names from the local account database (`getpwuid_r` / `getgrgid_r`: files,
//! LDAP, sssd, whatever NSS is configured with), as `ausearch -i` and auditbeat's `resolve_ids`
//! look them up. Each thread caches what it looked up, found or not, so a log of a million
//! records costs one lookup per distinct id.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CStr;
use std::sync::Arc;

/// Entries a thread's cache holds before it starts again (ids on a host are few; this only
/// bounds memory against a log full of random ids).
const CACHE_LIMIT: usize = 4096;

/// A name found for an id, shared between the documents that use it.
pub type Name = Arc<str>;

thread_local! {
    static USERS: RefCell<HashMap<u32, Option<Name>>> = RefCell::new(HashMap::new());
    static GROUPS: RefCell<HashMap<u32, Option<Name>>> = RefCell::new(HashMap::new());
}

/// The name of user `uid` in the local account database, or `None` when it has none.
/// `(uid_t)-1` (an unset login id) never has one.
pub fn user_name(uid: u32) -> Option<Name> {
    cached(&USERS, uid, lookup_user)
}

/// The name of group `gid` in the local account database, or `None` when it has none.
pub fn group_name(gid: u32) -> Option<Name> {
    cached(&GROUPS, gid, lookup_group)
}

fn cached(
    cache: &'static std::thread::LocalKey<RefCell<HashMap<u32, Option<Name>>>>,
    id: u32,
    lookup: fn(u32) -> Option<String>,
) -> Option<Name> {
    if id == super::UNSET_ID {
        return None;
    }
    cache.with(|cell| {
        if let Some(found) = cell.borrow().get(&id) {
            return found.clone();
        }
        let found: Option<Name> = lookup(id).map(Into::into);
        let mut map = cell.borrow_mut();
        if map.len() >= CACHE_LIMIT {
            map.clear();
        }
        map.insert(id, found.clone());
        found
    })
}

/// Calls a `get*id_r` function with a buffer that grows on `ERANGE` (up to 1 MiB).
fn with_buffer(mut call: impl FnMut(&mut [libc::c_char]) -> libc::c_int) -> Option<()> {
    let mut size = 1024;
    loop {
        let mut buf = vec![0 as libc::c_char; size];
        match call(&mut buf) {
            0 => return Some(()),
            libc::ERANGE if size < (1 << 20) => size *= 4,
            libc::EINTR => {}
            _ => return None,
        }
    }
}

fn lookup_user(uid: u32) -> Option<String> {
    let mut name = None;
    with_buffer(|buf| {
        // SAFETY: passwd is plain data; getpwuid_r writes it and the strings it points to
        // (inside `buf`), and sets `result` to it or to NULL when there is no entry.
        unsafe {
            let mut pwd: libc::passwd = std::mem::zeroed();
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
            if rc == 0 && !result.is_null() && !pwd.pw_name.is_null() {
                name = Some(CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned());
            }
            rc
        }
    })?;
    name
}

fn lookup_group(gid: u32) -> Option<String> {
    let mut name = None;
    with_buffer(|buf| {
        // SAFETY: as in lookup_user, for struct group and getgrgid_r.
        unsafe {
            let mut grp: libc::group = std::mem::zeroed();
            let mut result: *mut libc::group = std::ptr::null_mut();
            let rc = libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut result);
            if rc == 0 && !result.is_null() && !grp.gr_name.is_null() {
                name = Some(CStr::from_ptr(grp.gr_name).to_string_lossy().into_owned());
            }
            rc
        }
    })?;
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_unset() {
        assert_eq!(user_name(0).as_deref(), Some("root"));
        assert_eq!(group_name(0).as_deref(), Some("root"));
        assert_eq!(user_name(super::super::UNSET_ID), None);
        // Cached: the same shared name.
        assert!(Arc::ptr_eq(&user_name(0).unwrap(), &user_name(0).unwrap()));
        assert_eq!(user_name(3_999_999_999), None);
    }
}
