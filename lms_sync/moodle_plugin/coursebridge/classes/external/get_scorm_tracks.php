<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * local_coursebridge_get_scorm_tracks: every attempt of many learners in one SCORM activity, in one call.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_coursebridge\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_multiple_structure;
use core_external\external_single_structure;
use core_external\external_value;

/**
 * The launchable SCO's tracks of each given learner, every attempt, as mod_scorm_get_scorm_sco_tracks gives one:
 * Moodle's summaries (scorm_format_interactions) first, then the stored elements in element order.
 */
class get_scorm_tracks extends external_api {
    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'scormid' => new external_value(PARAM_INT, 'SCORM instance id'),
            'userids' => new external_multiple_structure(new external_value(PARAM_INT, 'User id'), 'Learners to read'),
        ]);
    }

    /**
     * The learners' attempts; learners without any are left out.
     *
     * @param int $scormid
     * @param int[] $userids
     * @return array
     */
    public static function execute(int $scormid, array $userids): array {
        global $CFG, $DB;
        require_once($CFG->dirroot . '/mod/scorm/locallib.php');
        $params = self::validate_parameters(self::execute_parameters(), ['scormid' => $scormid, 'userids' => $userids]);
        $scorm = $DB->get_record('scorm', ['id' => $params['scormid']], '*', MUST_EXIST);
        $cm = get_coursemodule_from_instance('scorm', $scorm->id, 0, false, MUST_EXIST);
        $context = \context_module::instance($cm->id);
        self::validate_context($context);
        require_capability('mod/scorm:viewreport', $context);
        if (!$params['userids']) {
            return ['users' => []];
        }

        [$insql, $inparams] = $DB->get_in_or_equal(array_unique($params['userids']), SQL_PARAMS_NAMED);
        $sql = "SELECT v.id, a.userid, a.attempt, v.value, v.timemodified, e.element
                  FROM {scorm_attempt} a
                  JOIN {scorm_scoes_value} v ON v.attemptid = a.id
                  JOIN {scorm_element} e ON e.id = v.elementid
                 WHERE a.scormid = :scormid AND v.scoid = :scoid AND a.userid $insql
              ORDER BY a.userid, a.attempt, e.element";
        $rows = $DB->get_recordset_sql($sql, ['scormid' => $scorm->id, 'scoid' => $scorm->launch] + $inparams);
        $grouped = [];
        foreach ($rows as $row) {
            $grouped[$row->userid][$row->attempt][] = $row;
        }
        $rows->close();

        $users = [];
        foreach ($grouped as $userid => $attempts) {
            $found = [];
            foreach ($attempts as $attempt => $tracks) {
                $usertrack = scorm_format_interactions($tracks);
                if ($usertrack->status === '') {
                    continue; // As mod_scorm_get_scorm_sco_tracks: an attempt without a status is not attempted.
                }
                $elements = [];
                foreach ((array) $usertrack as $element => $value) {
                    $elements[] = ['element' => $element, 'value' => (string) $value];
                }
                $found[] = ['attempt' => (int) $attempt, 'tracks' => $elements];
            }
            if ($found) {
                $users[] = ['userid' => (int) $userid, 'attempts' => $found];
            }
        }
        return ['users' => $users];
    }

    /**
     * Returns.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'users' => new external_multiple_structure(new external_single_structure([
                'userid' => new external_value(PARAM_INT, 'User id'),
                'attempts' => new external_multiple_structure(new external_single_structure([
                    'attempt' => new external_value(PARAM_INT, 'Attempt number, from 1'),
                    'tracks' => new external_multiple_structure(new external_single_structure([
                        'element' => new external_value(PARAM_RAW, 'Element name, or a summary: status, score_raw, total_time...'),
                        'value' => new external_value(PARAM_RAW, 'Element value'),
                    ])),
                ])),
            ])),
        ]);
    }
}
