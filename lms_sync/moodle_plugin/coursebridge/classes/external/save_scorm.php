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
 * local_coursebridge_save_scorm: the course's SCORM activity, with the settings docs/scorm.md recommends.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_coursebridge\external;

use core_external\external_api;
use core_external\external_function_parameters;
use core_external\external_single_structure;
use core_external\external_value;
use local_coursebridge\local\draft;
use local_coursebridge\local\items;

/**
 * Create the SCORM activity, or give the existing one a new package and settings.
 *
 * Updating goes through update_module(), as the activity's settings form does: the manifest keeps its
 * identifier from build to build, so scorm_parse() updates the SCOs in place and learners keep their attempts.
 */
class save_scorm extends external_api {
    /** @var int[] Moodle's completionstatusrequired bits (scorm_status_options()). */
    const COMPLETION_STATUS = ['passed' => 2, 'completed' => 4];

    /**
     * Parameters.
     *
     * @return external_function_parameters
     */
    public static function execute_parameters(): external_function_parameters {
        return new external_function_parameters([
            'courseid' => new external_value(PARAM_INT, 'Course id'),
            'section' => new external_value(PARAM_INT, 'Section number the activity is created in'),
            'draftitemid' => new external_value(PARAM_INT, 'Draft item holding the package, from webservice/upload.php'),
            'itemkey' => new external_value(PARAM_RAW, 'The coursebridge item', VALUE_DEFAULT, 'scorm'),
            'contenthash' => new external_value(PARAM_ALPHANUM, 'SHA-256 of the package and its settings'),
            'name' => new external_value(PARAM_TEXT, 'Activity name'),
            'intro' => new external_value(PARAM_RAW, 'Description (HTML)', VALUE_DEFAULT, ''),
            'maxattempt' => new external_value(PARAM_INT, 'Number of attempts, 0 for unlimited', VALUE_DEFAULT, 0),
            'completion' => new external_value(PARAM_ALPHA, 'Status that completes it: passed or completed', VALUE_DEFAULT, 'passed'),
            'completionscore' => new external_value(PARAM_INT, 'Minimum score to complete it, 0 for none', VALUE_DEFAULT, 0),
        ]);
    }

    /**
     * Create or update the activity.
     *
     * @param int $courseid
     * @param int $section
     * @param int $draftitemid
     * @param string $itemkey
     * @param string $contenthash
     * @param string $name
     * @param string $intro
     * @param int $maxattempt
     * @param string $completion
     * @param int $completionscore
     * @return array
     */
    public static function execute(int $courseid, int $section, int $draftitemid, string $itemkey, string $contenthash,
            string $name, string $intro = '', int $maxattempt = 0, string $completion = 'passed', int $completionscore = 0): array {
        global $CFG;
        $params = self::validate_parameters(self::execute_parameters(), [
            'courseid' => $courseid,
            'section' => $section,
            'draftitemid' => $draftitemid,
            'itemkey' => $itemkey,
            'contenthash' => $contenthash,
            'name' => $name,
            'intro' => $intro,
            'maxattempt' => $maxattempt,
            'completion' => $completion,
            'completionscore' => $completionscore,
        ]);
        $context = \context_course::instance($params['courseid']);
        self::validate_context($context);
        require_capability('local/coursebridge:publish', $context);
        require_capability('moodle/course:manageactivities', $context);
        if (!isset(self::COMPLETION_STATUS[$params['completion']])) {
            throw new \invalid_parameter_exception('completion must be passed or completed');
        }
        require_once($CFG->dirroot . '/course/lib.php');
        require_once($CFG->dirroot . '/course/modlib.php');
        require_once($CFG->dirroot . '/mod/scorm/locallib.php');
        draft::single_file($params['draftitemid']);

        $moduleinfo = self::moduleinfo($params);
        $item = items::find($params['courseid'], $params['itemkey']);
        if ($item) {
            items::require_module($item, 'scorm');
            $moduleinfo->coursemodule = $item->cmid;
            $moduleinfo->instance = $item->instance;
            update_module($moduleinfo);
            $cmid = (int) $item->cmid;
        } else {
            $cmid = (int) create_module($moduleinfo)->coursemodule;
        }
        items::save($params['courseid'], $params['itemkey'], $cmid, $params['contenthash']);
        $cm = get_coursemodule_from_id('scorm', $cmid, $params['courseid'], false, MUST_EXIST);
        return ['cmid' => $cmid, 'instance' => (int) $cm->instance, 'created' => !$item];
    }

    /**
     * The settings, named as mod/scorm/mod_form.php names them.
     *
     * @param array $params
     * @return \stdClass
     */
    private static function moduleinfo(array $params): \stdClass {
        return (object) [
            'modulename' => 'scorm',
            'course' => $params['courseid'],
            'section' => $params['section'],
            'visible' => 1,
            'name' => $params['name'],
            'introeditor' => ['text' => $params['intro'], 'format' => FORMAT_HTML, 'itemid' => 0],
            'cmidnumber' => '',
            'scormtype' => SCORM_TYPE_LOCAL,
            'packagefile' => $params['draftitemid'],
            'updatefreq' => SCORM_UPDATE_NEVER,
            // One SCO reports the course's score from 0 to 100: grade it as is.
            'grademethod' => GRADEHIGHEST,
            'maxgrade' => 100,
            'whatgrade' => HIGHESTATTEMPT,
            'maxattempt' => $params['maxattempt'],
            'forcenewattempt' => SCORM_FORCEATTEMPT_NO,
            'lastattemptlock' => 0,
            'forcecompleted' => 0,
            'masteryoverride' => 1,
            'auto' => 0,
            'autocommit' => 0,
            // The package navigates itself: current window, no structure, no Moodle buttons, straight in.
            'popup' => 0,
            'width' => 100,
            'height' => 500,
            'displaycoursestructure' => 0,
            'hidetoc' => SCORM_TOC_DISABLED,
            'nav' => SCORM_NAV_DISABLED,
            'navpositionleft' => -100,
            'navpositiontop' => -100,
            'skipview' => SCORM_SKIPVIEW_ALWAYS,
            'hidebrowse' => 1,
            'displayattemptstatus' => SCORM_DISPLAY_ATTEMPTSTATUS_ALL,
            'timeopen' => 0,
            'timeclose' => 0,
            'completion' => COMPLETION_TRACKING_AUTOMATIC,
            'completionstatusrequired' => self::COMPLETION_STATUS[$params['completion']],
            'completionscorerequired' => $params['completionscore'] ?: null,
            'completionstatusallscos' => 0,
        ];
    }

    /**
     * Returns.
     *
     * @return external_single_structure
     */
    public static function execute_returns(): external_single_structure {
        return new external_single_structure([
            'cmid' => new external_value(PARAM_INT, 'Course module id'),
            'instance' => new external_value(PARAM_INT, 'SCORM instance id'),
            'created' => new external_value(PARAM_BOOL, 'True when the activity was created, false when updated'),
        ]);
    }
}
