# Windows version resource for wxdoctor.exe / wxdoctor-gui.exe (PyInstaller `version=`).
# A string.Template: packaging/build.py fills $file_tuple, $version and $year from
# pyproject.toml and writes the result to the build folder. Not imported as Python.
VSVersionInfo(
    ffi=FixedFileInfo(
        filevers=$file_tuple,
        prodvers=$file_tuple,
        mask=0x3F,
        flags=0x0,
        OS=0x40004,
        fileType=0x1,
        subtype=0x0,
        date=(0, 0),
    ),
    kids=[
        StringFileInfo(
            [
                # 0804 = Chinese (Simplified, PRC), 04B0 = Unicode; 0409 = English (US).
                StringTable(
                    "080404B0",
                    [
                        StringStruct("CompanyName", "wxdoctor"),
                        StringStruct("FileDescription", "微信/企业微信网络医生 wxdoctor"),
                        StringStruct("FileVersion", "$version"),
                        StringStruct("InternalName", "wxdoctor"),
                        StringStruct("LegalCopyright", "© $year wxdoctor contributors, MIT License"),
                        StringStruct("OriginalFilename", "$exe"),
                        StringStruct("ProductName", "wxdoctor"),
                        StringStruct("ProductVersion", "$version"),
                    ],
                ),
                StringTable(
                    "040904B0",
                    [
                        StringStruct("CompanyName", "wxdoctor"),
                        StringStruct("FileDescription", "wxdoctor - network doctor for WeChat and WeCom"),
                        StringStruct("FileVersion", "$version"),
                        StringStruct("InternalName", "wxdoctor"),
                        StringStruct("LegalCopyright", "© $year wxdoctor contributors, MIT License"),
                        StringStruct("OriginalFilename", "$exe"),
                        StringStruct("ProductName", "wxdoctor"),
                        StringStruct("ProductVersion", "$version"),
                    ],
                ),
            ]
        ),
        VarFileInfo([VarStruct("Translation", [0x0804, 1200, 0x0409, 1200])]),
    ],
)
