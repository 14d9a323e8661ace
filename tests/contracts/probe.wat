;; A test contract that exercises the host API: the first input byte picks an operation, the
;; rest is its payload. Both `deploy` and `call` dispatch the same way.
;;
;;  0  return payload                      8  event: n ‖ n×32 topic bytes ‖ data
;;  1  set "k" = payload, return "ok"      9  debug_message(payload) → [code]
;;  2  set "k" = payload, revert payload  10  chain extension: id u32 ‖ input → code u32 ‖ output
;;  3  set "k" = payload, trap            11  terminate(beneficiary = payload)
;;  4  set "k" = payload, loop forever    12  transfer: dest ‖ u128 → [code]
;;  5  return the value of "k" (or "")    13  instantiate: code hash ‖ salt len u8 ‖ salt ‖ input
;;  6  call: flags u32 ‖ gas u64 ‖ callee ‖ value u128 ‖ input → [code] ‖ output
;;  7  read the input a second time                      → [code] ‖ address ‖ output
;; 14  set "k" = payload, then op 6 on the rest: flags ‖ gas ‖ callee ‖ value ‖ input (payload
;;     stored is the whole rest)
;; 15  return [caller ‖ address ‖ value transferred u128 ‖ balance u128]
(module
  (import "seal0" "input" (func $input (param i32 i32)))
  (import "seal0" "seal_return" (func $return (param i32 i32 i32)))
  (import "seal1" "get_storage" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "seal2" "set_storage" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "seal1" "call" (func $call (param i32 i32 i64 i32 i32 i32 i32 i32) (result i32)))
  (import "seal0" "deposit_event" (func $event (param i32 i32 i32 i32)))
  (import "seal0" "debug_message" (func $debug (param i32 i32) (result i32)))
  (import "seal0" "call_chain_extension" (func $ext (param i32 i32 i32 i32 i32) (result i32)))
  (import "seal1" "terminate" (func $terminate (param i32)))
  (import "seal0" "transfer" (func $transfer (param i32 i32 i32 i32) (result i32)))
  (import "seal1" "instantiate"
    (func $instantiate (param i32 i64 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "seal0" "caller" (func $caller (param i32 i32)))
  (import "seal0" "address" (func $address (param i32 i32)))
  (import "seal0" "value_transferred" (func $value (param i32 i32)))
  (import "seal0" "balance" (func $balance (param i32 i32)))
  (import "env" "memory" (memory 1 16))
  ;; 0: the key "k"; 16: a zero u128; 64: output length; 1020: input length; 1024: input;
  ;; 19995..20000: return code; 20000: output buffer; 40000: address length; 40004: address.
  (data (i32.const 0) "k")
  (data (i32.const 100) "ok")

  (func $len (result i32) (i32.sub (i32.load (i32.const 1020)) (i32.const 1)))

  (func $store_payload
    (drop (call $set (i32.const 0) (i32.const 1) (i32.const 1025) (call $len))))

  (func $do_call (param $at i32) (param $len i32)
    ;; at: flags u32 ‖ gas u64 ‖ callee (32) ‖ value (16) ‖ input
    (i32.store (i32.const 64) (i32.const 16384))
    (i32.store8 (i32.const 19999)
      (call $call
        (i32.load (local.get $at))
        (i32.add (local.get $at) (i32.const 12))
        (i64.load (i32.add (local.get $at) (i32.const 4)))
        (i32.add (local.get $at) (i32.const 44))
        (i32.add (local.get $at) (i32.const 60))
        (i32.sub (local.get $len) (i32.const 60))
        (i32.const 20000)
        (i32.const 64)))
    (call $no_output_unless_returned)
    (call $return (i32.const 0) (i32.const 19999) (i32.add (i32.const 1) (i32.load (i32.const 64)))))

  ;; Only success (0) and a revert (2) write output; otherwise the length stays untouched.
  (func $no_output_unless_returned
    (if (i32.and (i32.ne (i32.load8_u (i32.const 19999)) (i32.const 0))
                 (i32.ne (i32.load8_u (i32.const 19999)) (i32.const 2)))
      (then (i32.store (i32.const 64) (i32.const 0)))))

  (func $dispatch
    (local $n i32)
    (i32.store (i32.const 1020) (i32.const 8192))
    (call $input (i32.const 1024) (i32.const 1020))
    (block $b15 (block $b14 (block $b13 (block $b12 (block $b11 (block $b10 (block $b9
    (block $b8 (block $b7 (block $b6 (block $b5 (block $b4 (block $b3 (block $b2 (block $b1
    (block $b0
      (br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 $b7 $b8 $b9 $b10 $b11 $b12 $b13 $b14 $b15 $b0
        (i32.load8_u (i32.const 1024))))
      (call $return (i32.const 0) (i32.const 1025) (call $len)))
      (call $store_payload)
      (call $return (i32.const 0) (i32.const 100) (i32.const 2)))
      (call $store_payload)
      (call $return (i32.const 1) (i32.const 1025) (call $len)))
      (call $store_payload)
      unreachable)
      (call $store_payload)
      (loop $forever (br $forever)))
      (i32.store (i32.const 64) (i32.const 16384))
      (if (call $get (i32.const 0) (i32.const 1) (i32.const 20000) (i32.const 64))
        (then (call $return (i32.const 0) (i32.const 0) (i32.const 0))))
      (call $return (i32.const 0) (i32.const 20000) (i32.load (i32.const 64))))
      (call $do_call (i32.const 1025) (call $len)))
      (call $input (i32.const 1024) (i32.const 1020))
      (call $return (i32.const 0) (i32.const 0) (i32.const 0)))
      ;; 8: the topic count byte becomes its SCALE compact prefix in place
      (local.set $n (i32.load8_u (i32.const 1025)))
      (i32.store8 (i32.const 1025) (i32.shl (local.get $n) (i32.const 2)))
      (call $event
        (i32.const 1025)
        (i32.add (i32.const 1) (i32.mul (local.get $n) (i32.const 32)))
        (i32.add (i32.const 1026) (i32.mul (local.get $n) (i32.const 32)))
        (i32.sub (call $len) (i32.add (i32.const 1) (i32.mul (local.get $n) (i32.const 32)))))
      (call $return (i32.const 0) (i32.const 0) (i32.const 0)))
      (i32.store8 (i32.const 19999) (call $debug (i32.const 1025) (call $len)))
      (call $return (i32.const 0) (i32.const 19999) (i32.const 1)))
      (i32.store (i32.const 64) (i32.const 16384))
      (i32.store (i32.const 19996)
        (call $ext (i32.load (i32.const 1025)) (i32.const 1029) (i32.sub (call $len) (i32.const 4))
          (i32.const 20000) (i32.const 64)))
      (call $return (i32.const 0) (i32.const 19996) (i32.add (i32.const 4) (i32.load (i32.const 64)))))
      (call $terminate (i32.const 1025)))
      (i32.store8 (i32.const 19999)
        (call $transfer (i32.const 1025) (i32.const 32) (i32.const 1057) (i32.const 16)))
      (call $return (i32.const 0) (i32.const 19999) (i32.const 1)))
      ;; 13: code hash (32) ‖ salt length (1) ‖ salt ‖ input
      (local.set $n (i32.load8_u (i32.const 1057)))
      (i32.store (i32.const 64) (i32.const 16384))
      (i32.store (i32.const 40000) (i32.const 32))
      (i32.store8 (i32.const 19999)
        (call $instantiate (i32.const 1025) (i64.const 0) (i32.const 16)
          (i32.add (i32.const 1058) (local.get $n))
          (i32.sub (call $len) (i32.add (i32.const 33) (local.get $n)))
          (i32.const 40004) (i32.const 40000) (i32.const 20032) (i32.const 64)
          (i32.const 1058) (local.get $n)))
      (call $no_output_unless_returned)
      (memory.copy (i32.const 20000) (i32.const 40004) (i32.const 32))
      (call $return (i32.const 0) (i32.const 19999) (i32.add (i32.const 33) (i32.load (i32.const 64)))))
      (call $store_payload)
      (call $do_call (i32.const 1025) (call $len)))
    ;; 15: caller ‖ address ‖ value ‖ balance
    (i32.store (i32.const 64) (i32.const 32))
    (call $caller (i32.const 20000) (i32.const 64))
    (i32.store (i32.const 64) (i32.const 32))
    (call $address (i32.const 20032) (i32.const 64))
    (i32.store (i32.const 64) (i32.const 16))
    (call $value (i32.const 20064) (i32.const 64))
    (i32.store (i32.const 64) (i32.const 16))
    (call $balance (i32.const 20080) (i32.const 64))
    (call $return (i32.const 0) (i32.const 20000) (i32.const 96)))

  (func (export "deploy") (call $dispatch))
  (func (export "call") (call $dispatch)))
