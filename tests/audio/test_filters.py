"""Our numpy filterbanks / peak picking agree with librosa (which the analysis no longer imports)."""

from __future__ import annotations

import numpy as np

from sequence_maker.audio.filters import chroma_filterbank, mel_filterbank, pick_peaks


def test_mel_filterbank_matches_librosa_slaney() -> None:
    import librosa

    ours = mel_filterbank(22050, 2048, 64, fmin=30.0, fmax=11025)
    ref = librosa.filters.mel(sr=22050, n_fft=2048, n_mels=64, fmin=30.0, fmax=11025)
    np.testing.assert_allclose(ours, ref, atol=1e-7)


def test_peak_picking_matches_librosa_onset_detect() -> None:
    import librosa

    env = np.random.default_rng(0).random(3000) ** 4
    ours = pick_peaks(env, 22050 / 256)
    ref = librosa.onset.onset_detect(onset_envelope=env, sr=22050, hop_length=256)
    np.testing.assert_array_equal(ours, ref)


def test_chroma_puts_a4_in_class_a() -> None:
    fb = chroma_filterbank(22050, 2048)
    freqs = np.linspace(0, 11025, 1025)
    k = int(np.argmin(np.abs(freqs - 440.0)))
    assert int(np.argmax(fb[:, k])) == 9  # C=0 … A=9
    assert fb[:, freqs < 55].sum() == 0 and fb[:, freqs > 5000].sum() == 0


def test_analysis_does_not_import_librosa() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, soundfile as sf, tempfile, os\n"
        "from sequence_maker.audio.synth import SongSpec, write_song\n"
        "d = tempfile.mkdtemp(); os.environ['SEQMAKER_CACHE_DIR'] = d\n"
        "write_song(SongSpec(plan='A', bars_per_section=4), d + '/s.wav')\n"
        "from sequence_maker.audio import analyze\n"
        "analyze(d + '/s.wav')\n"
        "print('librosa' in sys.modules, 'numba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
