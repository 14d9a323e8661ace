;; Web3 Analytics: page views and unique visitors, counted inside a contract cluster.
;;
;; Sites send each page view as an encrypted command `record(page, day, visitor)`; the contract
;; keeps only aggregates: views per (page, day) and unique visitors per (page, day), where a
;; visitor is counted once by a keyed hash blake2_256(secret ‖ visitor). The secret comes from
;; pink's derive_sr25519_key at construction, so it is the contract's own (derived from its
;; cluster key), never leaves the cluster, and visitor ids cannot be linked across contracts.
;; Queries `views(page, day)` and `uniques(page, day)` return only the counts.
;;
;; Written directly in WAT against the ink! ABI (selectors = blake2_256(name)[..4], SCALE
;; arguments, MessageResult returns) rather than compiled from Rust: the example then builds
;; with the wasmtime package the project already depends on, with no Rust toolchain or
;; cargo-contract to install. analytics.json is its ink! v5 metadata.
(module
  (import "seal0" "input" (func $input (param i32 i32)))
  (import "seal0" "seal_return" (func $return (param i32 i32 i32)))
  (import "seal0" "hash_blake2_256" (func $hash (param i32 i32 i32)))
  (import "seal1" "get_storage" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "seal1" "contains_storage" (func $contains (param i32 i32) (result i32)))
  (import "seal2" "set_storage" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "seal0" "call_chain_extension" (func $ext (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 16))

  ;; Constants: storage key prefixes, results, pink's derivation salt (a SCALE Vec<u8>).
  (data (i32.const 0) "secret")
  (data (i32.const 16) "views")
  (data (i32.const 32) "uniques")
  (data (i32.const 48) "seen")
  (data (i32.const 128) "\00")
  (data (i32.const 130) "\01\01")
  (data (i32.const 200) "\60khala/analytics/visitors")

  (global $page_ptr (mut i32) (i32.const 0))
  (global $page_len (mut i32) (i32.const 0))
  (global $day (mut i32) (i32.const 0))
  (global $tail (mut i32) (i32.const 0))

  ;; ink!'s answer to input it cannot decode: revert with Err(LangError::CouldNotReadInput).
  (func $could_not_read (call $return (i32.const 1) (i32.const 130) (i32.const 2)))

  (func $read_input
    (i32.store (i32.const 1020) (i32.const 8192))
    (call $input (i32.const 1024) (i32.const 1020))
    (if (i32.lt_u (i32.load (i32.const 1020)) (i32.const 4)) (then (call $could_not_read))))

  ;; Decode `page: String, day: u32` after the selector; 0 when the input is malformed.
  (func $parse (result i32)
    (local $first i32)
    (local.set $first (i32.load8_u (i32.const 1028)))
    (if (i32.eqz (i32.and (local.get $first) (i32.const 3)))
      (then
        (global.set $page_len (i32.shr_u (local.get $first) (i32.const 2)))
        (global.set $page_ptr (i32.const 1029)))
      (else
        (if (i32.eq (i32.and (local.get $first) (i32.const 3)) (i32.const 1))
          (then
            (global.set $page_len (i32.shr_u (i32.load16_u (i32.const 1028)) (i32.const 2)))
            (global.set $page_ptr (i32.const 1030)))
          (else (return (i32.const 0))))))
    (global.set $tail (i32.add (global.get $page_ptr) (global.get $page_len)))
    (if (i32.gt_u (i32.add (global.get $tail) (i32.const 4))
                  (i32.add (i32.const 1024) (i32.load (i32.const 1020))))
      (then (return (i32.const 0))))
    (global.set $day (i32.load (global.get $tail)))
    (global.set $tail (i32.add (global.get $tail) (i32.const 4)))
    (i32.const 1))

  ;; out = blake2_256(prefix ‖ extra ‖ page ‖ day)
  (func $key (param $prefix i32) (param $plen i32) (param $extra i32) (param $elen i32)
             (param $out i32)
    (local $at i32)
    (memory.copy (i32.const 40000) (local.get $prefix) (local.get $plen))
    (local.set $at (i32.add (i32.const 40000) (local.get $plen)))
    (memory.copy (local.get $at) (local.get $extra) (local.get $elen))
    (local.set $at (i32.add (local.get $at) (local.get $elen)))
    (memory.copy (local.get $at) (global.get $page_ptr) (global.get $page_len))
    (local.set $at (i32.add (local.get $at) (global.get $page_len)))
    (i32.store (local.get $at) (global.get $day))
    (local.set $at (i32.add (local.get $at) (i32.const 4)))
    (call $hash (i32.const 40000) (i32.sub (local.get $at) (i32.const 40000)) (local.get $out)))

  (func $load (param $key i32) (result i64)
    (i32.store (i32.const 64) (i32.const 8))
    (if (result i64) (call $get (local.get $key) (i32.const 32) (i32.const 40800) (i32.const 64))
      (then (i64.const 0))
      (else (i64.load (i32.const 40800)))))

  (func $store (param $key i32) (param $value i64)
    (i64.store (i32.const 40800) (local.get $value))
    (drop (call $set (local.get $key) (i32.const 32) (i32.const 40800) (i32.const 8))))

  (func $answer (param $value i64)
    (i32.store8 (i32.const 40900) (i32.const 0))
    (i64.store (i32.const 40901) (local.get $value))
    (call $return (i32.const 0) (i32.const 40900) (i32.const 9)))

  ;; record(page: String, day: u32, visitor: [u8; 32])
  (func $record
    (if (i32.eqz (call $parse)) (then (call $could_not_read)))
    (if (i32.gt_u (i32.add (global.get $tail) (i32.const 32))
                  (i32.add (i32.const 1024) (i32.load (i32.const 1020))))
      (then (call $could_not_read)))
    (call $key (i32.const 16) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 40500))
    (call $store (i32.const 40500) (i64.add (call $load (i32.const 40500)) (i64.const 1)))
    ;; the keyed visitor: blake2_256(secret ‖ visitor)
    (i32.store (i32.const 64) (i32.const 64))
    (drop (call $get (i32.const 0) (i32.const 6) (i32.const 41000) (i32.const 64)))
    (memory.copy (i32.const 41064) (global.get $tail) (i32.const 32))
    (call $hash (i32.const 41000) (i32.const 96) (i32.const 40700))
    (call $key (i32.const 48) (i32.const 4) (i32.const 40700) (i32.const 32) (i32.const 40580))
    (if (i32.eq (call $contains (i32.const 40580) (i32.const 32)) (i32.const -1))
      (then
        (i32.store8 (i32.const 40810) (i32.const 1))
        (drop (call $set (i32.const 40580) (i32.const 32) (i32.const 40810) (i32.const 1)))
        (call $key (i32.const 32) (i32.const 7) (i32.const 0) (i32.const 0) (i32.const 40540))
        (call $store (i32.const 40540) (i64.add (call $load (i32.const 40540)) (i64.const 1)))))
    (call $return (i32.const 0) (i32.const 128) (i32.const 1)))

  ;; views(page: String, day: u32) -> u64 and uniques(page: String, day: u32) -> u64
  (func $count (param $prefix i32) (param $plen i32)
    (if (i32.eqz (call $parse)) (then (call $could_not_read)))
    (call $key (local.get $prefix) (local.get $plen) (i32.const 0) (i32.const 0) (i32.const 40500))
    (call $answer (call $load (i32.const 40500))))

  ;; new(): derive the visitor-hashing secret from the contract's key through pink.
  (func (export "deploy")
    (call $read_input)
    (if (i32.ne (i32.load (i32.const 1024)) (i32.const 0x5e9dae9b)) (then (call $could_not_read)))
    (i32.store (i32.const 64) (i32.const 16384))
    (drop (call $ext (i32.const 4) (i32.const 200) (i32.const 25) (i32.const 20000) (i32.const 64)))
    (drop (call $set (i32.const 0) (i32.const 6) (i32.const 20002) (i32.const 64)))
    (call $return (i32.const 0) (i32.const 128) (i32.const 1)))

  (func (export "call")
    (local $selector i32)
    (call $read_input)
    (local.set $selector (i32.load (i32.const 1024)))
    (if (i32.eq (local.get $selector) (i32.const 0xc4af11ad)) (then (call $record)))
    (if (i32.eq (local.get $selector) (i32.const 0x2910208d))
      (then (call $count (i32.const 16) (i32.const 5))))
    (if (i32.eq (local.get $selector) (i32.const 0xc3339f89))
      (then (call $count (i32.const 32) (i32.const 7))))
    (call $could_not_read)))
