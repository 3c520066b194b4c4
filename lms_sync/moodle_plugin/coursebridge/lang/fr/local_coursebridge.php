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
 * French strings of local_coursebridge.
 *
 * @package    local_coursebridge
 * @copyright  2026 coursebridge developers
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['cartridgefailed'] = 'La cartouche n\'a pas pu être restaurée : {$a}';
$string['coursebridge:publish'] = 'Publier des cours coursebridge par les services web';
$string['coursenotempty'] = 'Ce cours contient déjà un contenu publié par coursebridge : restaurez la cartouche dans un cours vide';
$string['nodraftfile'] = 'Aucun fichier dans la zone brouillon {$a} : déposez d\'abord le paquet avec webservice/upload.php';
$string['notacartridge'] = 'Le fichier déposé n\'est pas une cartouche IMS Common Cartridge 1.1 (format détecté : {$a})';
$string['pluginname'] = 'coursebridge';
$string['privacy:metadata'] = 'Le plugin coursebridge retient quelle activité du cours provient de quel élément coursebridge ; il ne conserve aucune donnée personnelle.';
$string['unknownitem'] = 'Aucune activité de ce cours ne provient de l\'élément {$a}';
$string['wrongmodule'] = 'L\'élément {$a->itemkey} est un module {$a->modname}, pas {$a->expected}';
