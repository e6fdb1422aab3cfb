# SPDX-License-Identifier: GPL-3.0-or-later
# Embeds core/probe/data/cipher_suites.tsv (the IANA cipher-suite registry) into
# libcertdeck-core as a string, so the table ships inside the binaries and is
# edited in one place. Included from core/CMakeLists.txt after certdeck-core.
set(_probe_tsv ${CMAKE_CURRENT_LIST_DIR}/cipher_suites.tsv)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_probe_tsv})
file(READ ${_probe_tsv} CERTDECK_CIPHER_SUITES_TSV)
string(FIND "${CERTDECK_CIPHER_SUITES_TSV}" ")tsv\"" _probe_delim)
if(NOT _probe_delim EQUAL -1)
  message(FATAL_ERROR "cipher_suites.tsv contains the raw-string delimiter )tsv\"")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/CipherSuiteData.cpp.in
               ${CMAKE_CURRENT_BINARY_DIR}/probe/CipherSuiteData.cpp @ONLY)
target_sources(certdeck-probe PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/probe/CipherSuiteData.cpp)
