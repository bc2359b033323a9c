;; The MLP minibatch kernel in WebAssembly SIMD (f64x2), used by MlpLoss.batchGradient (src/problem/models/mlp.ts,
;; which documents the network and the layout). Assembled by `npm run build:wasm` (scripts/build-wasm.mjs, wabt)
;; into mlp-kernel-wasm.ts; test/models/mlp-kernel-wasm.test.ts checks that the embedded bytes are this file's.
;;
;; Matrices of activations and deltas are unit-major: row u holds unit u for the chunk's samples, two samples per
;; v128 lane pair, ROW = 256 bytes (32 samples) per row, `nv` = ⌈samples/2⌉ vectors used. Weights are read from the
;; parameter vector as it is (W_l row-major, n_l × n_{l−1}), one scalar broadcast at a time, so every product runs
;; over two samples at once. Every sum is taken in a fixed order that does not depend on the blocking (blocks and
;; remainders sum the same terms in the same order), so results are deterministic.
;; No function allocates; all pointers are byte offsets into the exported memory, chosen by the caller.
(module
  (memory (export "mem") 1)

  ;; out[i, v] = bias_i + Σ_{j<nJ} W[i·si + j·sj] · in[j, v]  for i < nI, v < nv (bias_i = 0 when $bias < 0),
  ;; the sum over j in increasing order. Forward: i = output unit, j = input unit (si = n_in, sj = 1).
  ;; Backward: i = input unit, j = output unit (si = 1, sj = n_in), no bias.
  (func (export "mix")
    (param $w i32) (param $si i32) (param $sj i32) (param $nI i32) (param $nJ i32)
    (param $in i32) (param $out i32) (param $nv i32) (param $bias i32)
    (local $i i32) (local $j i32) (local $v i32) (local $wp i32) (local $ip i32) (local $op i32)
    (local $s v128) (local $b0 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $si (i32.shl (local.get $si) (i32.const 3)))
    (local.set $sj (i32.shl (local.get $sj) (i32.const 3)))
    (local.set $i (i32.const 0))
    (block $iend (loop $il
      (br_if $iend (i32.ge_s (local.get $i) (local.get $nI)))
      (if (i32.ge_s (local.get $bias) (i32.const 0))
        (then (local.set $b0 (f64x2.splat (f64.load
          (i32.add (local.get $bias) (i32.shl (local.get $i) (i32.const 3)))))))
        (else (local.set $b0 (v128.const f64x2 0 0))))
      (local.set $op (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 8))))
      (local.set $v (i32.const 0))
      ;; eight vectors (16 samples) per pass: each broadcast weight is used eight times
      (block $bend (loop $bl
        (br_if $bend (i32.gt_s (i32.add (local.get $v) (i32.const 8)) (local.get $nv)))
        (local.set $a0 (local.get $b0)) (local.set $a1 (local.get $b0))
        (local.set $a2 (local.get $b0)) (local.set $a3 (local.get $b0))
        (local.set $a4 (local.get $b0)) (local.set $a5 (local.get $b0))
        (local.set $a6 (local.get $b0)) (local.set $a7 (local.get $b0))
        (local.set $wp (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $si))))
        (local.set $ip (i32.add (local.get $in) (i32.shl (local.get $v) (i32.const 4))))
        (local.set $j (i32.const 0))
        (block $jend (loop $jl
          (br_if $jend (i32.ge_s (local.get $j) (local.get $nJ)))
          (local.set $s (f64x2.splat (f64.load (local.get $wp))))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $s) (v128.load offset=0 (local.get $ip)))))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $s) (v128.load offset=16 (local.get $ip)))))
          (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $s) (v128.load offset=32 (local.get $ip)))))
          (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $s) (v128.load offset=48 (local.get $ip)))))
          (local.set $a4 (f64x2.add (local.get $a4) (f64x2.mul (local.get $s) (v128.load offset=64 (local.get $ip)))))
          (local.set $a5 (f64x2.add (local.get $a5) (f64x2.mul (local.get $s) (v128.load offset=80 (local.get $ip)))))
          (local.set $a6 (f64x2.add (local.get $a6) (f64x2.mul (local.get $s) (v128.load offset=96 (local.get $ip)))))
          (local.set $a7 (f64x2.add (local.get $a7) (f64x2.mul (local.get $s) (v128.load offset=112 (local.get $ip)))))
          (local.set $wp (i32.add (local.get $wp) (local.get $sj)))
          (local.set $ip (i32.add (local.get $ip) (i32.const 256)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (local.set $ip (i32.add (local.get $op) (i32.shl (local.get $v) (i32.const 4))))
        (v128.store offset=0 (local.get $ip) (local.get $a0))
        (v128.store offset=16 (local.get $ip) (local.get $a1))
        (v128.store offset=32 (local.get $ip) (local.get $a2))
        (v128.store offset=48 (local.get $ip) (local.get $a3))
        (v128.store offset=64 (local.get $ip) (local.get $a4))
        (v128.store offset=80 (local.get $ip) (local.get $a5))
        (v128.store offset=96 (local.get $ip) (local.get $a6))
        (v128.store offset=112 (local.get $ip) (local.get $a7))
        (local.set $v (i32.add (local.get $v) (i32.const 8)))
        (br $bl)))
      ;; the remaining vectors one at a time (same terms, same order)
      (block $rend (loop $rl
        (br_if $rend (i32.ge_s (local.get $v) (local.get $nv)))
        (local.set $a0 (local.get $b0))
        (local.set $wp (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $si))))
        (local.set $ip (i32.add (local.get $in) (i32.shl (local.get $v) (i32.const 4))))
        (local.set $j (i32.const 0))
        (block $jend2 (loop $jl2
          (br_if $jend2 (i32.ge_s (local.get $j) (local.get $nJ)))
          (local.set $a0 (f64x2.add (local.get $a0)
            (f64x2.mul (f64x2.splat (f64.load (local.get $wp))) (v128.load (local.get $ip)))))
          (local.set $wp (i32.add (local.get $wp) (local.get $sj)))
          (local.set $ip (i32.add (local.get $ip) (i32.const 256)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl2)))
        (v128.store (i32.add (local.get $op) (i32.shl (local.get $v) (i32.const 4))) (local.get $a0))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $rl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $il)))
  )

  ;; a[i, v] = tanh(a[i, v]) for i < nI, v < nv, lane by lane the same arithmetic as tanh() in tanh.ts (so the
  ;; same bits): clamp to ±19.125, k = trunc(8x + 153.5) − 153, c = x − k/8, t = Taylor polynomial of tanh c,
  ;; T = tanh(k/8) and S = sech²(k/8) from the tables at $tab (tanh(k/8) for k = −153..153, then sech²),
  ;; result T + t·S/(1 + T·t).
  (func (export "tanh") (param $a i32) (param $nI i32) (param $nv i32) (param $tab i32)
    (local $p i32) (local $end i32) (local $rowEnd i32) (local $i i32)
    (local $x v128) (local $k v128) (local $c v128) (local $s v128) (local $t v128) (local $T v128) (local $S v128)
    (local $k0 i32) (local $k1 i32)
    (local.set $i (i32.const 0))
    (block $iend (loop $il
      (br_if $iend (i32.ge_s (local.get $i) (local.get $nI)))
      (local.set $p (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 8))))
      (local.set $rowEnd (i32.add (local.get $p) (i32.shl (local.get $nv) (i32.const 4))))
      (block $vend (loop $vl
        (br_if $vend (i32.ge_u (local.get $p) (local.get $rowEnd)))
        (local.set $x (f64x2.max (v128.const f64x2 -19.125 -19.125)
          (f64x2.min (v128.const f64x2 19.125 19.125) (v128.load (local.get $p)))))
        ;; k + 153 (lanes 0, 1 as i32; NaN gives 0, as `| 0` does)
        (local.set $k (i32x4.trunc_sat_f64x2_s_zero
          (f64x2.add (f64x2.mul (v128.const f64x2 8 8) (local.get $x)) (v128.const f64x2 153.5 153.5))))
        (local.set $k0 (i32x4.extract_lane 0 (local.get $k)))
        (local.set $k1 (i32x4.extract_lane 1 (local.get $k)))
        (local.set $c (f64x2.sub (local.get $x) (f64x2.mul (v128.const f64x2 0.125 0.125)
          (f64x2.convert_low_i32x4_s (i32x4.sub (local.get $k) (v128.const i32x4 153 153 153 153))))))
        (local.set $s (f64x2.mul (local.get $c) (local.get $c)))
        (local.set $t
          (f64x2.add (local.get $c)
            (f64x2.mul (f64x2.mul (local.get $c) (local.get $s))
              (f64x2.add (v128.const f64x2 -0x1.5555555555555p-2 -0x1.5555555555555p-2) (f64x2.mul (local.get $s)
              (f64x2.add (v128.const f64x2 0x1.1111111111111p-3 0x1.1111111111111p-3) (f64x2.mul (local.get $s)
              (f64x2.add (v128.const f64x2 -0x1.ba1ba1ba1ba1cp-5 -0x1.ba1ba1ba1ba1cp-5) (f64x2.mul (local.get $s)
              (f64x2.add (v128.const f64x2 0x1.664f4882c10fap-6 0x1.664f4882c10fap-6) (f64x2.mul (local.get $s)
              (f64x2.add (v128.const f64x2 -0x1.226e355e6c23dp-7 -0x1.226e355e6c23dp-7) (f64x2.mul (local.get $s)
                (v128.const f64x2 0x1.d6d3d0e157de0p-9 0x1.d6d3d0e157de0p-9))))))))))))))
        (local.set $k0 (i32.add (local.get $tab) (i32.shl (local.get $k0) (i32.const 3))))
        (local.set $k1 (i32.add (local.get $tab) (i32.shl (local.get $k1) (i32.const 3))))
        (local.set $T (f64x2.replace_lane 1 (f64x2.splat (f64.load (local.get $k0))) (f64.load (local.get $k1))))
        ;; sech² table follows the tanh table: 307 entries = 2456 bytes later
        (local.set $S (f64x2.replace_lane 1 (f64x2.splat (f64.load offset=2456 (local.get $k0)))
          (f64.load offset=2456 (local.get $k1))))
        (v128.store (local.get $p)
          (f64x2.add (local.get $T)
            (f64x2.div (f64x2.mul (local.get $t) (local.get $S))
              (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $T) (local.get $t))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $il)))
  )

  ;; a[i, v] = max(a[i, v], 0) (relu), as Math.max(z, 0)
  (func (export "relu") (param $a i32) (param $nI i32) (param $nv i32)
    (local $p i32) (local $rowEnd i32) (local $i i32)
    (local.set $i (i32.const 0))
    (block $iend (loop $il
      (br_if $iend (i32.ge_s (local.get $i) (local.get $nI)))
      (local.set $p (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 8))))
      (local.set $rowEnd (i32.add (local.get $p) (i32.shl (local.get $nv) (i32.const 4))))
      (block $vend (loop $vl
        (br_if $vend (i32.ge_u (local.get $p) (local.get $rowEnd)))
        (v128.store (local.get $p) (f64x2.max (v128.load (local.get $p)) (v128.const f64x2 0 0)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $il)))
  )

  ;; Through the activation, d[i, v] ⊙= act'(h[i, v]): tanh' = 1 − h² ($relu = 0), relu' = 1[h > 0] ($relu ≠ 0)
  (func (export "dact") (param $d i32) (param $h i32) (param $nI i32) (param $nv i32) (param $relu i32)
    (local $p i32) (local $q i32) (local $rowEnd i32) (local $i i32) (local $x v128)
    (local.set $i (i32.const 0))
    (block $iend (loop $il
      (br_if $iend (i32.ge_s (local.get $i) (local.get $nI)))
      (local.set $p (i32.add (local.get $d) (i32.shl (local.get $i) (i32.const 8))))
      (local.set $q (i32.add (local.get $h) (i32.shl (local.get $i) (i32.const 8))))
      (local.set $rowEnd (i32.add (local.get $p) (i32.shl (local.get $nv) (i32.const 4))))
      (block $vend (loop $vl
        (br_if $vend (i32.ge_u (local.get $p) (local.get $rowEnd)))
        (local.set $x (v128.load (local.get $q)))
        (if (local.get $relu)
          (then (v128.store (local.get $p)
            (v128.and (v128.load (local.get $p)) (f64x2.gt (local.get $x) (v128.const f64x2 0 0)))))
          (else (v128.store (local.get $p)
            (f64x2.mul (v128.load (local.get $p))
              (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $x) (local.get $x)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $vl)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $il)))
  )

  ;; Horizontal sum of a vector accumulator: lane 0 (even samples) + lane 1 (odd samples).
  (func $hsum (param $a v128) (result f64)
    (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))

  ;; Weight gradient: g[r·nIn + c] += Σ_{v<nv} (d[r, v] · h[c, v]) summed by lanes, then lane 0 + lane 1, for
  ;; r < nO, c < nIn; two rows × two columns per pass (one load per product), the same order in every path.
  ;; Bias gradient (when $gb ≥ 0): gb[r] += Σ_v d[r, v], lanes summed likewise.
  (func (export "grad")
    (param $d i32) (param $h i32) (param $nO i32) (param $nIn i32) (param $nv i32) (param $g i32) (param $gb i32)
    (local $r i32) (local $c i32) (local $v i32) (local $d0 i32) (local $d1 i32) (local $h0 i32) (local $h1 i32)
    (local $o i32) (local $gp i32)
    (local $p0 v128) (local $p1 v128) (local $q0 v128) (local $q1 v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local.set $o (i32.shl (local.get $nv) (i32.const 4)))
    (local.set $r (i32.const 0))
    (block $rend (loop $rl
      (br_if $rend (i32.ge_s (local.get $r) (local.get $nO)))
      (local.set $d0 (i32.add (local.get $d) (i32.shl (local.get $r) (i32.const 8))))
      (if (i32.lt_s (i32.add (local.get $r) (i32.const 1)) (local.get $nO))
        (then
          ;; two rows r, r + 1
          (local.set $d1 (i32.add (local.get $d0) (i32.const 256)))
          (local.set $c (i32.const 0))
          (block $cend (loop $cl
            (br_if $cend (i32.ge_s (local.get $c) (local.get $nIn)))
            (local.set $h0 (i32.add (local.get $h) (i32.shl (local.get $c) (i32.const 8))))
            (local.set $gp (i32.add (local.get $g)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $nIn)) (local.get $c)) (i32.const 3))))
            (if (i32.lt_s (i32.add (local.get $c) (i32.const 1)) (local.get $nIn))
              (then
                (local.set $h1 (i32.add (local.get $h0) (i32.const 256)))
                (local.set $a00 (v128.const f64x2 0 0)) (local.set $a01 (v128.const f64x2 0 0))
                (local.set $a10 (v128.const f64x2 0 0)) (local.set $a11 (v128.const f64x2 0 0))
                (local.set $v (i32.const 0))
                (block $vend (loop $vl
                  (br_if $vend (i32.ge_u (local.get $v) (local.get $o)))
                  (local.set $p0 (v128.load (i32.add (local.get $d0) (local.get $v))))
                  (local.set $p1 (v128.load (i32.add (local.get $d1) (local.get $v))))
                  (local.set $q0 (v128.load (i32.add (local.get $h0) (local.get $v))))
                  (local.set $q1 (v128.load (i32.add (local.get $h1) (local.get $v))))
                  (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $p0) (local.get $q0))))
                  (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (local.get $p0) (local.get $q1))))
                  (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $p1) (local.get $q0))))
                  (local.set $a11 (f64x2.add (local.get $a11) (f64x2.mul (local.get $p1) (local.get $q1))))
                  (local.set $v (i32.add (local.get $v) (i32.const 16)))
                  (br $vl)))
                (f64.store offset=0 (local.get $gp) (f64.add (f64.load offset=0 (local.get $gp)) (call $hsum (local.get $a00))))
                (f64.store offset=8 (local.get $gp) (f64.add (f64.load offset=8 (local.get $gp)) (call $hsum (local.get $a01))))
                (local.set $gp (i32.add (local.get $gp) (i32.shl (local.get $nIn) (i32.const 3))))
                (f64.store offset=0 (local.get $gp) (f64.add (f64.load offset=0 (local.get $gp)) (call $hsum (local.get $a10))))
                (f64.store offset=8 (local.get $gp) (f64.add (f64.load offset=8 (local.get $gp)) (call $hsum (local.get $a11))))
                (local.set $c (i32.add (local.get $c) (i32.const 2))))
              (else
                (local.set $a00 (v128.const f64x2 0 0)) (local.set $a10 (v128.const f64x2 0 0))
                (local.set $v (i32.const 0))
                (block $vend2 (loop $vl2
                  (br_if $vend2 (i32.ge_u (local.get $v) (local.get $o)))
                  (local.set $q0 (v128.load (i32.add (local.get $h0) (local.get $v))))
                  (local.set $a00 (f64x2.add (local.get $a00)
                    (f64x2.mul (v128.load (i32.add (local.get $d0) (local.get $v))) (local.get $q0))))
                  (local.set $a10 (f64x2.add (local.get $a10)
                    (f64x2.mul (v128.load (i32.add (local.get $d1) (local.get $v))) (local.get $q0))))
                  (local.set $v (i32.add (local.get $v) (i32.const 16)))
                  (br $vl2)))
                (f64.store (local.get $gp) (f64.add (f64.load (local.get $gp)) (call $hsum (local.get $a00))))
                (local.set $gp (i32.add (local.get $gp) (i32.shl (local.get $nIn) (i32.const 3))))
                (f64.store (local.get $gp) (f64.add (f64.load (local.get $gp)) (call $hsum (local.get $a10))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))))
            (br $cl)))
          (local.set $r (i32.add (local.get $r) (i32.const 2))))
        (else
          ;; the last row alone
          (local.set $c (i32.const 0))
          (block $cend3 (loop $cl3
            (br_if $cend3 (i32.ge_s (local.get $c) (local.get $nIn)))
            (local.set $h0 (i32.add (local.get $h) (i32.shl (local.get $c) (i32.const 8))))
            (local.set $gp (i32.add (local.get $g)
              (i32.shl (i32.add (i32.mul (local.get $r) (local.get $nIn)) (local.get $c)) (i32.const 3))))
            (local.set $a00 (v128.const f64x2 0 0))
            (local.set $v (i32.const 0))
            (block $vend3 (loop $vl3
              (br_if $vend3 (i32.ge_u (local.get $v) (local.get $o)))
              (local.set $a00 (f64x2.add (local.get $a00)
                (f64x2.mul (v128.load (i32.add (local.get $d0) (local.get $v)))
                  (v128.load (i32.add (local.get $h0) (local.get $v))))))
              (local.set $v (i32.add (local.get $v) (i32.const 16)))
              (br $vl3)))
            (f64.store (local.get $gp) (f64.add (f64.load (local.get $gp)) (call $hsum (local.get $a00))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cl3)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))))
      (br $rl)))
    ;; bias gradient
    (if (i32.ge_s (local.get $gb) (i32.const 0))
      (then
        (local.set $r (i32.const 0))
        (block $bend (loop $bl
          (br_if $bend (i32.ge_s (local.get $r) (local.get $nO)))
          (local.set $d0 (i32.add (local.get $d) (i32.shl (local.get $r) (i32.const 8))))
          (local.set $a00 (v128.const f64x2 0 0))
          (local.set $v (i32.const 0))
          (block $vend4 (loop $vl4
            (br_if $vend4 (i32.ge_u (local.get $v) (local.get $o)))
            (local.set $a00 (f64x2.add (local.get $a00) (v128.load (i32.add (local.get $d0) (local.get $v)))))
            (local.set $v (i32.add (local.get $v) (i32.const 16)))
            (br $vl4)))
          (local.set $gp (i32.add (local.get $gb) (i32.shl (local.get $r) (i32.const 3))))
          (f64.store (local.get $gp) (f64.add (f64.load (local.get $gp)) (call $hsum (local.get $a00))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $bl)))))
  )
)
