//! A tiny, valid, playable MP4 built in code: 64×64 H.264 (Baseline, every frame an IDR made of
//! I_PCM macroblocks, so no real encoder is needed), 24 frames at 24 fps = 1 s, a moving bar.

use std::sync::OnceLock;

const W: usize = 64;
const H: usize = 64;
const FRAMES: usize = 24;
const TIMESCALE: u32 = 12_288;
const DELTA: u32 = TIMESCALE / 24;

pub(crate) fn sample() -> Vec<u8> {
    static MP4: OnceLock<Vec<u8>> = OnceLock::new();
    MP4.get_or_init(build).clone()
}

struct Bits {
    out: Vec<u8>,
    cur: u8,
    n: u8,
}

impl Bits {
    fn new() -> Self {
        Bits { out: Vec::new(), cur: 0, n: 0 }
    }
    fn u(&mut self, bits: u32, v: u32) {
        for i in (0..bits).rev() {
            self.cur = (self.cur << 1) | ((v >> i) & 1) as u8;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.cur);
                self.cur = 0;
                self.n = 0;
            }
        }
    }
    fn ue(&mut self, v: u32) {
        let x = v + 1;
        let len = 32 - x.leading_zeros();
        self.u(len - 1, 0);
        self.u(len, x);
    }
    fn se(&mut self, v: i32) {
        self.ue(if v > 0 { (2 * v - 1) as u32 } else { (-2 * v) as u32 });
    }
    fn align_zero(&mut self) {
        while self.n != 0 {
            self.u(1, 0);
        }
    }
    /// rbsp_trailing_bits, then the NAL unit with its header and emulation prevention
    fn nal(mut self, header: u8) -> Vec<u8> {
        self.u(1, 1);
        self.align_zero();
        let mut nal = vec![header];
        let mut zeros = 0;
        for b in self.out {
            if zeros >= 2 && b <= 3 {
                nal.push(3);
                zeros = 0;
            }
            nal.push(b);
            zeros = if b == 0 { zeros + 1 } else { 0 };
        }
        nal
    }
}

fn sps() -> Vec<u8> {
    let mut b = Bits::new();
    b.u(8, 66); // profile_idc: Baseline
    b.u(8, 0xC0); // constraint_set0 + set1
    b.u(8, 30); // level 3.0
    b.ue(0); // seq_parameter_set_id
    b.ue(0); // log2_max_frame_num_minus4
    b.ue(2); // pic_order_cnt_type
    b.ue(1); // max_num_ref_frames
    b.u(1, 0); // gaps_in_frame_num_value_allowed_flag
    b.ue((W / 16 - 1) as u32);
    b.ue((H / 16 - 1) as u32);
    b.u(1, 1); // frame_mbs_only_flag
    b.u(1, 1); // direct_8x8_inference_flag
    b.u(1, 0); // frame_cropping_flag
    b.u(1, 0); // vui_parameters_present_flag
    b.nal(0x67)
}

fn pps() -> Vec<u8> {
    let mut b = Bits::new();
    b.ue(0); // pic_parameter_set_id
    b.ue(0); // seq_parameter_set_id
    b.u(1, 0); // entropy_coding_mode_flag: CAVLC
    b.u(1, 0); // bottom_field_pic_order_in_frame_present_flag
    b.ue(0); // num_slice_groups_minus1
    b.ue(0); // num_ref_idx_l0_default_active_minus1
    b.ue(0); // num_ref_idx_l1_default_active_minus1
    b.u(1, 0); // weighted_pred_flag
    b.u(2, 0); // weighted_bipred_idc
    b.se(0); // pic_init_qp_minus26
    b.se(0); // pic_init_qs_minus26
    b.se(0); // chroma_qp_index_offset
    b.u(1, 0); // deblocking_filter_control_present_flag
    b.u(1, 0); // constrained_intra_pred_flag
    b.u(1, 0); // redundant_pic_cnt_present_flag
    b.nal(0x68)
}

/// One IDR picture; luma is a bright vertical bar moving right on a dark background.
fn idr(frame: usize) -> Vec<u8> {
    let mut b = Bits::new();
    b.ue(0); // first_mb_in_slice
    b.ue(7); // slice_type: I (all slices)
    b.ue(0); // pic_parameter_set_id
    b.u(4, 0); // frame_num
    b.ue((frame % 2) as u32); // idr_pic_id differs between consecutive IDRs
    b.u(1, 0); // no_output_of_prior_pics_flag
    b.u(1, 0); // long_term_reference_flag
    b.se(0); // slice_qp_delta
    let bar = frame * W / FRAMES;
    for mby in 0..H / 16 {
        for mbx in 0..W / 16 {
            b.ue(25); // mb_type I_PCM
            b.align_zero();
            for _y in 0..16 {
                for x in 0..16 {
                    let px = mbx * 16 + x;
                    let luma = if px >= bar && px < bar + 12 { 220 } else { 40 + (mby * 30) as u32 };
                    b.u(8, luma);
                }
            }
            for plane in 0..2 {
                for _ in 0..64 {
                    b.u(8, if plane == 0 { 110 } else { 150 });
                }
            }
        }
    }
    b.nal(0x65)
}

fn bx(kind: &[u8; 4], parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = 8 + parts.iter().map(|p| p.len()).sum::<usize>();
    let mut v = (len as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    for p in parts {
        v.extend_from_slice(p);
    }
    v
}

fn full(kind: &[u8; 4], version_flags: u32, parts: &[&[u8]]) -> Vec<u8> {
    let vf = version_flags.to_be_bytes();
    let mut all: Vec<&[u8]> = vec![&vf];
    all.extend_from_slice(parts);
    bx(kind, &all)
}

fn be32(vals: &[u32]) -> Vec<u8> {
    vals.iter().flat_map(|v| v.to_be_bytes()).collect()
}

const MATRIX: [u32; 9] = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x4000_0000];

fn moov(sps: &[u8], pps: &[u8], sizes: &[u32], mdat_offset: u32) -> Vec<u8> {
    let ms = (FRAMES as u32) * 1000 / 24;
    let mvhd = full(b"mvhd", 0, &[&be32(&[0, 0, 1000, ms, 0x10000]), &[1, 0, 0, 0], &[0; 8], &be32(&MATRIX), &[0; 24], &be32(&[2])]);
    let tkhd = full(b"tkhd", 3, &[&be32(&[0, 0, 1, 0, ms, 0, 0]), &[0; 8], &be32(&MATRIX), &be32(&[(W as u32) << 16, (H as u32) << 16])]);
    let mdhd = full(b"mdhd", 0, &[&be32(&[0, 0, TIMESCALE, DELTA * FRAMES as u32]), &[0x55, 0xC4, 0, 0]]);
    let hdlr = full(b"hdlr", 0, &[&be32(&[0]), b"vide", &[0; 12], b"VideoHandler\0"]);
    let vmhd = full(b"vmhd", 1, &[&[0; 8]]);
    let dinf = bx(b"dinf", &[&full(b"dref", 0, &[&be32(&[1]), &full(b"url ", 1, &[])])]);
    let mut avcc = vec![1, 66, 0xC0, 30, 0xFF, 0xE1];
    avcc.extend_from_slice(&(sps.len() as u16).to_be_bytes());
    avcc.extend_from_slice(sps);
    avcc.push(1);
    avcc.extend_from_slice(&(pps.len() as u16).to_be_bytes());
    avcc.extend_from_slice(pps);
    let mut compressor = [0u8; 32];
    compressor[0] = 15;
    compressor[1..16].copy_from_slice(b"upstream-double");
    let avc1 = bx(
        b"avc1",
        &[
            &[0, 0, 0, 0, 0, 0, 0, 1], // reserved, data_reference_index 1
            &[0; 16],                  // pre_defined, reserved
            &(W as u16).to_be_bytes(),
            &(H as u16).to_be_bytes(),
            &be32(&[0x0048_0000, 0x0048_0000, 0]),
            &1u16.to_be_bytes(),
            &compressor,
            &[0x00, 0x18, 0xFF, 0xFF],
            &bx(b"avcC", &[&avcc]),
        ],
    );
    let stsd = full(b"stsd", 0, &[&be32(&[1]), &avc1]);
    let stts = full(b"stts", 0, &[&be32(&[1, FRAMES as u32, DELTA])]);
    let stsc = full(b"stsc", 0, &[&be32(&[1, 1, FRAMES as u32, 1])]);
    let stsz = full(b"stsz", 0, &[&be32(&[0, FRAMES as u32]), &be32(sizes)]);
    let stco = full(b"stco", 0, &[&be32(&[1, mdat_offset])]);
    let stbl = bx(b"stbl", &[&stsd, &stts, &stsc, &stsz, &stco]);
    let minf = bx(b"minf", &[&vmhd, &dinf, &stbl]);
    let mdia = bx(b"mdia", &[&mdhd, &hdlr, &minf]);
    let trak = bx(b"trak", &[&tkhd, &mdia]);
    bx(b"moov", &[&mvhd, &trak])
}

fn build() -> Vec<u8> {
    let (sps, pps) = (sps(), pps());
    let samples: Vec<Vec<u8>> = (0..FRAMES)
        .map(|i| {
            let nal = idr(i);
            let mut s = (nal.len() as u32).to_be_bytes().to_vec();
            s.extend(nal);
            s
        })
        .collect();
    let sizes: Vec<u32> = samples.iter().map(|s| s.len() as u32).collect();
    let ftyp = bx(b"ftyp", &[b"isom", &be32(&[0x200]), b"isomiso2avc1mp41"]);
    let moov_len = moov(&sps, &pps, &sizes, 0).len();
    let offset = (ftyp.len() + moov_len + 8) as u32;
    let moov = moov(&sps, &pps, &sizes, offset);
    let data = samples.concat();
    let mdat = bx(b"mdat", &[&data]);
    [ftyp, moov, mdat].concat()
}

#[cfg(test)]
mod tests {
    #[test]
    fn boxes_are_consistent() {
        let v = super::sample();
        assert_eq!(&v[4..8], b"ftyp");
        let ftyp = u32::from_be_bytes(v[0..4].try_into().unwrap()) as usize;
        assert_eq!(&v[ftyp + 4..ftyp + 8], b"moov");
        let moov = u32::from_be_bytes(v[ftyp..ftyp + 4].try_into().unwrap()) as usize;
        let mdat = ftyp + moov;
        assert_eq!(&v[mdat + 4..mdat + 8], b"mdat");
        assert_eq!(u32::from_be_bytes(v[mdat..mdat + 4].try_into().unwrap()) as usize, v.len() - mdat);
    }
}
