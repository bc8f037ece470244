from mattran.collation import vietnamese_key


def test_districts_sort_as_the_vietnamese_alphabet_reads():
    names = ["Huyện Bình Gia", "Huyện Bắc Sơn", "Huyện Đình Lập", "Huyện Chi Lăng", "Huyện Cao Lộc", "Huyện Văn Lãng",
             "Huyện Văn Quan", "Huyện Tràng Định", "Huyện Hữu Lũng", "Huyện Lộc Bình", "Huyện Dương"]
    assert sorted(names, key=vietnamese_key) == [
        "Huyện Bắc Sơn", "Huyện Bình Gia", "Huyện Cao Lộc", "Huyện Chi Lăng", "Huyện Dương", "Huyện Đình Lập",
        "Huyện Hữu Lũng", "Huyện Lộc Bình", "Huyện Tràng Định", "Huyện Văn Lãng", "Huyện Văn Quan",
    ]


def test_letters_come_before_tones():
    assert sorted(["ba", "bà", "bá", "bả", "bã", "bạ", "bă", "bâ"], key=vietnamese_key) == [
        "ba", "bà", "bả", "bã", "bá", "bạ", "bă", "bâ",
    ]
    assert sorted(["ơ", "ô", "o", "u", "ư"], key=vietnamese_key) == ["o", "ô", "ơ", "u", "ư"]
