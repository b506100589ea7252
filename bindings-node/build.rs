// SPDX-License-Identifier: MIT OR Apache-2.0
//! Sets the linker flags a Node addon needs (undefined napi_* symbols resolved by node).

fn main() {
    napi_build::setup();
}
