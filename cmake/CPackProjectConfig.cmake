# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE, set in
# cmake/release.cmake): the Windows zip packs the two Windows sub-builds'
# installs instead of this tree's.
if(CPACK_GENERATOR STREQUAL "ZIP")
    set(CPACK_PACKAGE_FILE_NAME zmmio-${CPACK_PACKAGE_VERSION}-windows)
    set(CPACK_INSTALL_CMAKE_PROJECTS
        "${CPACK_ZMM_WINDOWS_X64_DIR};zmmio;binaries;/x64"
        "${CPACK_ZMM_WINDOWS_X86_DIR};zmmio;binaries;/x86"
        "${CPACK_ZMM_WINDOWS_X64_DIR};zmmio;common;/")
    # The host's strip does not know PE files.
    set(CPACK_STRIP_FILES OFF)
endif()
